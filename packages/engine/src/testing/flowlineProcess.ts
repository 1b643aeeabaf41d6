import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

/** The repository root: flowline processes are started from its sources. */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A real `flowline <command>` child process, for tests and the chaos script that kill and restart processes. */
export interface FlowlineProcess {
  readonly pid: number;
  /** resolves once the process logged that it started; rejects if it exits first */
  readonly ready: Promise<void>;
  /** the exit code, or null when a signal ended it */
  readonly exited: Promise<number | null>;
  /** everything it wrote, for failure messages */
  output(): string;
  /** sends the signal and waits for the exit */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `flowline <command>` from its sources, as `node --import tsx
 * packages/cli/src/main.ts` with the `@flowline/source` condition (workspace
 * packages resolve to their sources, not dist/), so the child's pid is the
 * engine's own process (tsx's CLI would put a wrapper in between, and SIGKILL
 * would orphan the real one). The secrets and
 * ports a test has no use for are set so parallel processes never collide.
 */
export function spawnFlowline(command: string, env: Readonly<Record<string, string>>): FlowlineProcess {
  const child = spawn(process.execPath, ['--conditions=@flowline/source', '--import', 'tsx', 'packages/cli/src/main.ts', command], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      FLOWLINE_SEAL_KEY: randomBytes(24).toString('hex'),
      FLOWLINE_METRICS_PORT: '0',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('"msg":"flowline started"')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`flowline ${command} exited (${code}) before it started:\n${output}`)));
  });
  ready.catch(() => {});
  return {
    pid: child.pid!,
    ready,
    exited,
    output: () => output,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * What a user's shell gives a program besides its own settings: where its
 * commands are and its home (npm's cache). For tests that run an installed
 * flowline as a user would, without this process's test-only variables.
 */
export function shellEnvironment(): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
}
