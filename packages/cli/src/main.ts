#!/usr/bin/env node
import { Command, Option } from 'commander';
import { Role, type Role as RoleType } from './role.ts';
import { clientCommandGroups, runProgram } from './client/clientProgram.ts';
import { limitHeapGrowth } from './heapGrowth.ts';

// Each command imports what it runs when it runs: the server's modules (engine, API, worker) are
// loaded by the commands that serve, and only the parts their roles use (see bootstrap.ts).

/** Exit codes (see client/exitCode.ts): 0 ok, 1 failure or a run that did not succeed, 2 bad usage or configuration, 3 not found, 4 auth. */
const program = new Command('flowline').description('flowline workflow engine').showHelpAfterError();

/** `--workflows <module>`, repeatable: the user's workflows a process serves besides the demos. */
const workflowsOption = () =>
  new Option('--workflows <module>', 'a module whose defineWorkflow(...) exports this process serves (repeatable)')
    .argParser((value: string, previous: string[] = []) => [...previous, value])
    .default([] as string[]);

function serve(roles: readonly RoleType[], migrate: boolean) {
  return async (options: { workflows?: string[] }) => {
    const [{ loadConfig }, { startProcess, stopOnSignals }, { loadWorkflowModules }] = await Promise.all([
      import('@flowline/engine'),
      import('./bootstrap.ts'),
      import('./workflowModules.ts'),
    ]);
    const config = loadConfig();
    limitHeapGrowth(config.nodeOptions);
    const workflows = await loadWorkflowModules(options.workflows ?? []);
    const running = await startProcess(config, roles, { migrate, workflows });
    stopOnSignals(running);
  };
}

program
  .command('start')
  .description('run API + worker + scheduler in one process, applying migrations first')
  .addOption(workflowsOption())
  .action(serve([Role.API, Role.WORKER, Role.SCHEDULER], true));
program.command('api').description('run the HTTP API only').action(serve([Role.API], false));
program
  .command('worker')
  .description('run a node worker only')
  .addOption(workflowsOption())
  .action(serve([Role.WORKER], false));
program.command('scheduler').description('run a scheduler replica only (any number may run)').action(serve([Role.SCHEDULER], false));

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(async () => {
    const { loadConfig, migrateDatabase, openDatabase, startEmbeddedPostgres } = await import('@flowline/engine');
    const config = loadConfig();
    const embedded = config.databaseUrl ? undefined : await startEmbeddedPostgres(config.dataDir, console.error);
    // Migrations run on one connection (at a time), whatever the pool size the serving roles use.
    const db = openDatabase(config.databaseUrl ?? embedded!.url, { max: 2, directUrl: config.directDatabaseUrl });
    try {
      await migrateDatabase(db);
      console.log('migrations applied');
    } finally {
      await db.close();
      await embedded?.stop();
    }
  });

for (const group of clientCommandGroups()) program.addCommand(group);
runProgram(program);
