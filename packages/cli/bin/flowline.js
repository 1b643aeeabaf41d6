#!/usr/bin/env node
// Runs the compiled CLI (dist/): plain node, no TypeScript at run time. In a clone,
// `pnpm build` (or `pnpm start`) compiles it; the published package ships it built.
// Client commands skip the server's modules (engine, BullMQ, embedded Postgres): they start ~4x faster.
import { existsSync } from 'node:fs';
import process from 'node:process';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  console.error('flowline: not built yet; run `pnpm build` in the repository first');
  process.exit(2);
}
const CLIENT_GROUPS = ['runs', 'defs', 'schedules', 'credentials', 'audit'];
await import(CLIENT_GROUPS.includes(process.argv[2]) ? new URL('../dist/client/clientMain.js', import.meta.url).href : main.href);
