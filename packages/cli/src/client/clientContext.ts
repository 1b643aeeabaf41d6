import { loadClientConfig } from '@flowline/engine/config';
import { FlowlineClient } from '@flowline/client';
import type { Command } from 'commander';
import { CliFailure, ExitCode } from './exitCode.ts';

/** What every client command acts through: the API client and how to print. */
export interface ClientContext {
  readonly client: FlowlineClient;
  /** print machine-readable JSON instead of tables */
  readonly json: boolean;
  print(text: string): void;
  printJson(value: unknown): void;
}

/**
 * Adds the options every client command shares. `--url` and `--token` fall
 * back to FLOWLINE_URL and FLOWLINE_TOKEN, read through the client config.
 */
export function withClientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'flowline API base URL (default: FLOWLINE_URL or http://localhost:8080)')
    .option('--token <token>', 'bearer token (default: FLOWLINE_TOKEN)')
    .option('--json', 'print JSON for scripts instead of tables', false);
}

export function clientContext(command: Command): ClientContext {
  const options = command.optsWithGlobals<{ url?: string; token?: string; json: boolean }>();
  const config = loadClientConfig();
  const token = options.token ?? config.token;
  if (!token) throw new CliFailure('no token: pass --token or set FLOWLINE_TOKEN (an admin can issue one with `flowline credentials create`)', ExitCode.AUTH);
  return {
    client: new FlowlineClient({ baseUrl: options.url ?? config.url, token, surface: 'cli' }),
    json: options.json,
    print: (text) => process.stdout.write(`${text}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}
