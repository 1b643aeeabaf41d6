import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The arrows docs/architecture.md says must never exist, checked on every
 * source file's imports (value and type imports alike): the pure core imports
 * nothing with I/O, the engine knows no process package, no dialect knows
 * another, the worker knows the engine only by its public surface — and no
 * file imports itself round a cycle.
 */
const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** Every .ts file under packages/<pkg>/src, relative to packages/. */
function sourceFiles(): string[] {
  const files: string[] = [];
  for (const pkg of readdirSync(PACKAGES)) {
    const src = path.join(PACKAGES, pkg, 'src');
    let entries: string[];
    try {
      entries = readdirSync(src, { recursive: true }).map(String);
    } catch {
      continue;
    }
    for (const entry of entries) if (entry.endsWith('.ts')) files.push(path.join(pkg, 'src', entry));
  }
  return files;
}

/** A file's imports: relative ones resolved to files relative to packages/, package ones as written. */
function importsOf(file: string): { local: string[]; packages: string[] } {
  const text = readFileSync(path.join(PACKAGES, file), 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const [, specifier] of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)) {
    if (specifier!.startsWith('.')) local.push(path.normalize(path.join(path.dirname(file), specifier!)));
    else packages.push(specifier!);
  }
  return { local, packages };
}

const files = sourceFiles();
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** The imports from files under `from` into files under any of `to`, as "file → import". */
function arrows(from: string, to: readonly string[]): string[] {
  const found: string[] = [];
  for (const [file, { local }] of graph) {
    if (!file.startsWith(from)) continue;
    for (const target of local) if (to.some((t) => target.startsWith(t))) found.push(`${file} → ${target}`);
  }
  return found;
}

describe('the architecture’s forbidden arrows', () => {
  it('core reaches no adapter — storage, queue, runtime, reconciler — and no package that does I/O', () => {
    expect(arrows('engine/src/core/', ['engine/src/storage/', 'engine/src/queue/', 'engine/src/runtime/', 'engine/src/reconciler/'])).toEqual([]);
    // zod validates specs; node:crypto draws ids. Nothing that talks to Postgres or Redis.
    const io = [...graph]
      .filter(([file]) => file.startsWith('engine/src/core/'))
      .flatMap(([file, { packages }]) => packages.filter((p) => p !== 'zod' && p !== 'node:crypto').map((p) => `${file} → ${p}`));
    expect(io).toEqual([]);
  });

  it('storage and queue never reach up into the runtime', () => {
    expect(arrows('engine/src/storage/', ['engine/src/runtime/', 'engine/src/queue/'])).toEqual([]);
    expect(arrows('engine/src/queue/', ['engine/src/runtime/'])).toEqual([]);
  });

  it('the engine knows no process package: no api, worker or cli', () => {
    const found = [...graph]
      .filter(([file]) => file.startsWith('engine/src/'))
      .flatMap(([file, { packages, local }]) => [...packages, ...local].filter((p) => /^@flowline\/(api|worker|cli)|^(api|worker|cli)\//.test(p)).map((p) => `${file} → ${p}`));
    expect(found).toEqual([]);
  });

  it('the worker, the api and the sdk reach the engine only through its public surface', () => {
    const found = [...graph]
      .filter(([file]) => file.startsWith('worker/src/') || file.startsWith('api/src/') || file.startsWith('sdk/src/'))
      .flatMap(([file, { packages, local }]) => [
        ...packages.filter((p) => p.startsWith('@flowline/engine/') && p !== '@flowline/engine/config' && p !== '@flowline/engine/ids').map((p) => `${file} → ${p}`),
        ...local.filter((p) => p.startsWith('engine/')).map((p) => `${file} → ${p}`),
      ]);
    expect(found).toEqual([]);
  });

  it('no dialect imports another dialect', () => {
    const dialects = readdirSync(path.join(PACKAGES, 'api/src/dialects'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    const found = dialects.flatMap((dialect) =>
      arrows(`api/src/dialects/${dialect}/`, dialects.filter((other) => other !== dialect).map((other) => `api/src/dialects/${other}/`)),
    );
    expect(found).toEqual([]);
  });

  it('no source file imports itself round a cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const target of graph.get(file)?.local ?? []) visit(target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
