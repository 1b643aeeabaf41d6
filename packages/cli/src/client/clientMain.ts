import { Command } from 'commander';
import { clientCommandGroups, runProgram } from './clientProgram.ts';

/**
 * The entry of the client commands alone: it loads neither the engine nor the
 * server, so `flowline runs list` starts in a fraction of the full program's time.
 */
const program = new Command('flowline').description('flowline workflow engine').showHelpAfterError();
for (const group of clientCommandGroups()) program.addCommand(group);
runProgram(program);
