import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RedisNode } from '../config.ts';
import { freeLoopbackPort, waitForPort } from './loopbackPort.ts';

const run = promisify(execFile);

/** A Redis Cluster of the test's own on loopback ports (Debian's redis-server and redis-cli). */
export interface RedisCluster {
  /** every node, masters first as `redis-cli --cluster create` paired them */
  readonly nodes: readonly RedisNode[];
  /** the nodes as REDIS_CLUSTER_NODES takes them */
  readonly env: string;
  /** the node serving `key`'s slot as master now */
  masterOf(key: string): Promise<RedisNode>;
  /**
   * SIGKILLs the node on `port`; settles once the others have marked it failed
   * and every slot is served again (a master's replica promoted in its place).
   */
  kill(port: number): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterNodeProcess extends RedisNode {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  output: string;
}

/** How long a master may be silent before its replica is promoted: short, so a failover test takes seconds. */
const NODE_TIMEOUT_MS = 1_000;

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout;
}

/**
 * Starts `masters` cluster-enabled redis-servers, each with `replicasEach`
 * replicas, in temporary directories, and joins them with `redis-cli
 * --cluster create`. Nothing is persisted: the test's cluster lives as long
 * as its processes.
 */
export async function startRedisCluster(masters = 3, replicasEach = 1): Promise<RedisCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowline-redis-cluster-'));
  const processes: ClusterNodeProcess[] = [];
  const stop = async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicasEach); i++) {
      const port = await freeLoopbackPort();
      const busPort = await freeLoopbackPort();
      const nodeDir = path.join(dir, String(port));
      await mkdir(nodeDir);
      const child = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--cluster-port', String(busPort),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-config-file', path.join(nodeDir, 'nodes.conf'),
          '--cluster-node-timeout', String(NODE_TIMEOUT_MS),
          '--dir', nodeDir,
          '--save', '',
          '--appendonly', 'no',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const node: ClusterNodeProcess = {
        host: '127.0.0.1',
        port,
        child,
        exited: new Promise<void>((resolve) => child.once('exit', () => resolve())),
        output: '',
      };
      child.stdout!.on('data', (chunk: Buffer) => (node.output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (node.output += chunk.toString()));
      processes.push(node);
      await waitForPort(port, node.exited, () => node.output);
    }
    await run('redis-cli', [
      '--cluster', 'create',
      ...processes.map((p) => `127.0.0.1:${p.port}`),
      '--cluster-replicas', String(replicasEach),
      '--cluster-yes',
    ]);
  } catch (error) {
    await stop();
    throw error;
  }

  const live = () => processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  /** Settles once every slot is served (cluster_state:ok seen from every live node). */
  const waitUntilHealthy = async (timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const states = await Promise.all(live().map((p) => cli(p.port, 'cluster', 'info').catch(() => '')));
      if (states.every((s) => s.includes('cluster_state:ok'))) return;
      if (Date.now() > deadline) throw new Error(`the cluster is not healthy after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  await waitUntilHealthy().catch(async (error: unknown) => {
    await stop();
    throw error;
  });

  return {
    nodes: processes.map(({ host, port }) => ({ host, port })),
    env: processes.map((p) => `127.0.0.1:${p.port}`).join(','),
    masterOf: async (key) => {
      const slot = Number((await cli(live()[0]!.port, 'cluster', 'keyslot', key)).trim());
      // CLUSTER NODES: id, address@bus, flags, master, ping, pong, epoch, link state, then the slot ranges served.
      const nodes = (await cli(live()[0]!.port, 'cluster', 'nodes')).trim().split('\n');
      for (const line of nodes) {
        const [, address, flags, , , , , , ...ranges] = line.split(' ');
        if (!flags!.includes('master') || flags!.includes('fail')) continue;
        for (const range of ranges) {
          const [from, to = from] = range.split('-').map(Number);
          if (slot >= from! && slot <= to!) return { host: '127.0.0.1', port: Number(address!.split(':')[1]!.split('@')[0]) };
        }
      }
      throw new Error(`no live master serves slot ${slot}`);
    },
    kill: async (port) => {
      const node = processes.find((p) => p.port === port)!;
      node.child.kill('SIGKILL');
      await node.exited;
      const deadline = Date.now() + 20_000;
      for (;;) {
        const view = await cli(live()[0]!.port, 'cluster', 'nodes').catch(() => '');
        const line = view.split('\n').find((l) => l.includes(`:${port}@`));
        if (line?.split(' ')[2]!.split(',').includes('fail')) break;
        if (Date.now() > deadline) throw new Error(`the cluster has not marked the node on ${port} failed`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await waitUntilHealthy();
    },
    stop,
  };
}
