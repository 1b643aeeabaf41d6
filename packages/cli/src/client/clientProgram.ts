import type { Command } from 'commander';
import { auditCommands } from './auditCommands.ts';
import { argvWithSafeRunIds } from './runIdArguments.ts';
import { credentialCommands } from './credentialCommands.ts';
import { definitionCommands } from './definitionCommands.ts';
import { describeFailure, ExitCode, exitCodeOf } from './exitCode.ts';
import { runCommands } from './runCommands.ts';
import { scheduleCommands } from './scheduleCommands.ts';

/** The command groups that talk to a running flowline over HTTP (--url, --token); bin/flowline.js routes them to clientMain. */
export function clientCommandGroups(): Command[] {
  return [runCommands(), definitionCommands(), scheduleCommands(), credentialCommands(), auditCommands()];
}

/** Commander's own exits (unknown command or option, missing argument) are usage errors: 2; help is 0. */
function usageExits(command: Command): void {
  command.exitOverride((error) => process.exit(error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE));
  for (const sub of command.commands) usageExits(sub);
}

/** Parses argv and runs the command; a failure prints one line and exits with its meaningful code. */
export function runProgram(program: Command): void {
  usageExits(program);
  program.parseAsync(argvWithSafeRunIds(process.argv)).catch((error: unknown) => {
    console.error(`flowline: ${describeFailure(error)}`);
    process.exit(exitCodeOf(error));
  });
}
