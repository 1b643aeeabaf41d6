// Starts a backup the way any service of yours would, with the typed client,
// and waits for it: `node src/startBackup.js <source> <destination>`.
// Needs FLOWLINE_URL (default http://localhost:8080) and FLOWLINE_TOKEN.
import { FlowlineClient } from '@flowline/sdk';
import { BackupDirectory } from './workflows.js';

const [source, destination] = process.argv.slice(2);
if (!source || !destination) {
  console.error('usage: node src/startBackup.js <source directory> <destination directory>');
  process.exit(2);
}
const client = new FlowlineClient({ baseUrl: process.env.FLOWLINE_URL ?? 'http://localhost:8080', token: process.env.FLOWLINE_TOKEN ?? '' });
// Started by value, the input is typed by the workflow's schema; a bad one is refused before any run is made.
const run = await client.start(BackupDirectory, { input: { source, destination } });
const done = await client.waitFor(run.id);
const report = done.nodes.find((node) => node.name === 'report');
console.log(`run ${done.id}: ${done.status}`);
console.log(report?.output?.summary ?? done.nodes.map((node) => `${node.name}: ${node.status} ${node.error ?? ''}`).join('\n'));
process.exit(done.status === 'SUCCESS' ? 0 : 1);
