import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../storage/database.ts';
import { migrateDatabase } from '../storage/migrate.ts';
import { freeLoopbackPort } from './loopbackPort.ts';

const run = promisify(execFile);

/** Where Debian's postgresql packages put a major version's programs. */
const DEBIAN_POSTGRES = '/usr/lib/postgresql';

/** A primary of the test's own with a streaming replica made by pg_basebackup, each on a loopback port. */
export interface ReplicatedPostgres {
  /** the primary's `flowline` database, migrated */
  readonly primaryUrl: string;
  /** the same database on the replica */
  readonly replicaUrl: string;
  /** stops the replica's server (fast shutdown) */
  stopReplica(): Promise<void>;
  startReplica(): Promise<void>;
  stop(): Promise<void>;
}

function binaries(): string {
  const versions = existsSync(DEBIAN_POSTGRES) ? readdirSync(DEBIAN_POSTGRES).filter((v) => /^\d+$/.test(v)) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) throw new Error(`no Postgres under ${DEBIAN_POSTGRES}: install Debian's postgresql (the test server's package)`);
  return path.join(DEBIAN_POSTGRES, newest, 'bin');
}

/**
 * initdb's a primary in a temporary directory (WAL for replicas, trust on
 * loopback), migrates its `flowline` database, and clones it with
 * `pg_basebackup -R` into a streaming replica: the shared test server's
 * configuration is left alone. As root, the servers run as `postgres`.
 */
export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const bin = binaries();
  const asRoot = process.getuid?.() === 0;
  const as = (program: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]) : run(path.join(bin, program), args));
  const dir = await mkdtemp(path.join(tmpdir(), 'flowline-replica-'));
  await chmod(dir, 0o755);
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const [primaryPort, replicaPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
  const primaryDir = path.join(dir, 'primary');
  const replicaDir = path.join(dir, 'replica');
  const serverOptions = (port: number) =>
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on`;
  const start = (data: string, port: number) => as('pg_ctl', ['-D', data, '-o', serverOptions(port), '-l', `${data}.log`, '-w', 'start']);
  const stopServer = (data: string) => as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
  try {
    await as('initdb', ['-D', primaryDir, '-U', 'postgres', '--auth=trust', '--no-sync']);
    await start(primaryDir, primaryPort);
    const primaryUrl = `postgres://postgres@127.0.0.1:${primaryPort}/flowline`;
    const admin = openDatabase(`postgres://postgres@127.0.0.1:${primaryPort}/postgres`, { max: 1 });
    await admin.pool.query('CREATE DATABASE flowline');
    await admin.close();
    const db = openDatabase(primaryUrl, { max: 2 });
    await migrateDatabase(db);
    await db.close();
    await as('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', replicaDir, '-R', '-X', 'stream', '--checkpoint=fast']);
    await start(replicaDir, replicaPort);
    return {
      primaryUrl,
      replicaUrl: `postgres://postgres@127.0.0.1:${replicaPort}/flowline`,
      stopReplica: async () => {
        await stopServer(replicaDir);
      },
      startReplica: async () => {
        await start(replicaDir, replicaPort);
      },
      stop: async () => {
        await stopServer(replicaDir);
        await stopServer(primaryDir);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await stopServer(replicaDir);
    await stopServer(primaryDir);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
