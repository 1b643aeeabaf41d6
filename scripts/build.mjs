// `pnpm build`: compiles every package a process or a user's install runs
// (`tsc -b`, project references in dependency order; incremental, so a build
// with nothing changed takes under a second) into packages/<name>/dist/, then
// copies what tsc does not: the web UI's files, read beside the compiled
// uiRoutes.js. Plain node, so `pnpm start`, `pnpm pack:all` and the tests can
// each run it without a package manager on the PATH.
import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function build() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  cpSync(new URL('../packages/api/src/ui/static/', import.meta.url), new URL('../packages/api/dist/ui/static/', import.meta.url), { recursive: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) build();
