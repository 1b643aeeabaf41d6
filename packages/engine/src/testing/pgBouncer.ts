import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeLoopbackPort, waitForPort } from './loopbackPort.ts';

/** Where Debian's `pgbouncer` package puts the binary. */
const PGBOUNCER_BINARY = '/usr/sbin/pgbouncer';

/** A PgBouncer of the test's own in transaction pooling mode, in front of a Postgres server. */
export interface PgBouncer {
  /** `serverUrl` with the host and port replaced by the bouncer's: the same database, pooled */
  pooled(serverUrl: string): string;
  /** the bouncer's log so far (its stderr) */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `pgbouncer` on a free loopback port, pooling transactions to the
 * server of `serverUrl` (any database, as its user, trusted: the test server
 * is `trust` on loopback) with at most `serverConnections` server connections
 * per database. Debian's package: `.ci/run` installs it when missing.
 */
export async function startPgBouncer(serverUrl: string, serverConnections: number): Promise<PgBouncer> {
  if (!existsSync(PGBOUNCER_BINARY)) {
    throw new Error(`${PGBOUNCER_BINARY} is missing: install Debian's pgbouncer (\`apt-get install -y pgbouncer\`; .ci/run does)`);
  }
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || 'postgres');
  const port = await freeLoopbackPort();
  const dir = await mkdtemp(path.join(tmpdir(), 'flowline-pgbouncer-'));
  // As root, pgbouncer refuses to run unless told to drop to a user, who must read its files.
  await chmod(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  await writeFile(path.join(dir, 'userlist.txt'), `"${user}" ""\n`, { mode: 0o644 });
  await writeFile(
    path.join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${server.hostname} port=${server.port || '5432'}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${path.join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      'max_client_conn = 1000',
      `default_pool_size = ${serverConnections}`,
      `max_db_connections = ${serverConnections}`,
      // Transaction pooling hands a connection on as it is: resetting it is for session pooling.
      'server_reset_query =',
      '',
    ].join('\n'),
    { mode: 0o644 },
  );
  const child = spawn(PGBOUNCER_BINARY, [...(asRoot ? ['-u', 'postgres'] : []), path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitForPort(port, exited, () => output);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    pooled: (url) => {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
