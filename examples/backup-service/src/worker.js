// The backup service's own process running the workflow's handlers: flowline's
// worker inside it (createWorker), beside whatever else the service does. It
// connects to the installation's Postgres and Redis (DATABASE_URL and REDIS_URL
// here, or pass databaseUrl and redisUrl) and takes the nodes of the workflows
// it is given. Ctrl-C / SIGTERM stop it gracefully: running handlers finish
// (up to FLOWLINE_DRAIN_MS), anything unfinished goes to another worker.
import { createWorker } from '@flowline/sdk';
import { BackupDirectory } from './workflows.js';

const worker = createWorker({ workflows: [BackupDirectory], concurrency: 5 });
await worker.run();
console.log('backup worker ready: serving BackupDirectory');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    worker.close().then(
      () => process.exit(0),
      (error) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
