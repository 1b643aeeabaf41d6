// The backup service's workflow: back up a directory into a destination
// directory, keep the newest few backups, and say what was done.
//
//   inventory → archive → upload → prune → report
//                                 ↘─────────↗
//
// Every node is a function of this service. The input is checked by the schema
// before a run is made (a bad one is refused with 400 naming the field, by any
// flowline API process); each node's return value is its output, which its
// children read, typed, as ctx.parents.<node>; what a node logs is its result
// text. `upload` fails on its first attempt, as a network upload now and then
// does, and flowline retries it.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineWorkflow, z } from '@flowline/sdk';

/** Backups this service wrote are named `backup-<time>-<run>.json.gz`; `prune` deletes only those. */
const BACKUP_NAME = /^backup-\d{8}T\d{6}-[\w-]{22}\.json\.gz$/;

/** What to back up and where: the input every backup here starts from. */
const BACKUP_PLACES = {
  source: z.string().min(1).describe('the directory to back up'),
  destination: z.string().min(1).describe('where backups are kept'),
};

export const BackupDirectory = defineWorkflow({
  name: 'BackupDirectory',
  description: 'Back up a directory into a destination, keeping the newest backups',
  input: z.object({
    ...BACKUP_PLACES,
    keep: z.number().int().min(1).default(3).describe('how many backups to keep'),
    flakyAttempts: z.number().int().min(0).max(3).default(1).describe('upload attempts that fail before one succeeds (a simulated flaky network)'),
  }),
})
  .node('inventory', { description: 'lists the files to back up' }, async (ctx) => {
    const names = (await readdir(ctx.input.source, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(ctx.input.source, path.join(entry.parentPath, entry.name)))
      .sort();
    let bytes = 0;
    for (const name of names) bytes += (await stat(path.join(ctx.input.source, name))).size;
    ctx.log(`found ${names.length} files (${bytes} bytes) in ${ctx.input.source}`);
    return { names, bytes };
  })
  .node('archive', { dependsOn: ['inventory'], description: 'packs the listed files into one compressed archive' }, async (ctx) => {
    const { names } = ctx.parents.inventory;
    const files = {};
    for (const name of names) files[name] = (await readFile(path.join(ctx.input.source, name))).toString('base64');
    const archive = gzipSync(JSON.stringify({ source: ctx.input.source, files }));
    const staging = path.join(ctx.input.destination, '.staging');
    await mkdir(staging, { recursive: true });
    const file = path.join(staging, `${ctx.runId}.json.gz`);
    await writeFile(file, archive);
    const sha256 = createHash('sha256').update(archive).digest('hex');
    ctx.log(`archived ${names.length} files into ${archive.length} bytes (sha256 ${sha256.slice(0, 12)})`);
    return { file, bytes: archive.length, sha256 };
  })
  .node('upload', { dependsOn: ['archive'], retries: 3, backoffMs: 200, description: 'copies the archive to the destination (flaky: retried)' }, async (ctx) => {
    const { file, sha256 } = ctx.parents.archive;
    if (ctx.attempt <= ctx.input.flakyAttempts) throw new Error(`upload interrupted on attempt ${ctx.attempt}: connection reset by peer (simulated)`);
    // Named by the run: an attempt repeated after a crash writes the same backup, not a second one.
    const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
    const location = path.join(ctx.input.destination, `backup-${stamp}-${ctx.runId}.json.gz`);
    await copyFile(file, location);
    const written = createHash('sha256').update(await readFile(location)).digest('hex');
    if (written !== sha256) throw new Error(`upload corrupted: sha256 ${written} is not the archive's ${sha256}`);
    await rm(file);
    ctx.log(`uploaded to ${location} on attempt ${ctx.attempt}`);
    return { location, attempt: ctx.attempt };
  })
  .node('prune', { dependsOn: ['upload'], description: 'deletes all but the newest backups' }, async (ctx) => {
    const backups = (await readdir(ctx.input.destination)).filter((name) => BACKUP_NAME.test(name)).sort();
    const deleted = backups.slice(0, Math.max(0, backups.length - ctx.input.keep));
    for (const name of deleted) await rm(path.join(ctx.input.destination, name));
    ctx.log(`kept ${backups.length - deleted.length} backups, deleted ${deleted.length}`);
    return { kept: backups.length - deleted.length, deleted };
  })
  .node('report', { dependsOn: ['inventory', 'archive', 'upload', 'prune'], description: 'says what the backup did' }, async (ctx) => {
    const { inventory, archive, upload, prune } = ctx.parents;
    const summary =
      `backed up ${inventory.names.length} files (${inventory.bytes} bytes) of ${ctx.input.source} ` +
      `to ${upload.location} (${archive.bytes} bytes, after ${upload.attempt} upload attempts); ` +
      `${prune.kept} backups kept, ${prune.deleted.length} deleted`;
    ctx.log(summary);
    return { summary, location: upload.location };
  });

// Map fan-out: one `checksum` node per file the `list` node found, decided when
// `list` has returned (a list of any length up to 10,000). Each element is a
// node of its own, `checksum[0]`, `checksum[1]`…, with its file in ctx.item and
// its place in ctx.index; it retries alone, and at most 4 run at once. `verify`
// gets their outputs joined in order, as ctx.parents.checksum.
//
//   list → checksum[0..n) → verify
export const ChecksumEachFile = defineWorkflow({
  name: 'ChecksumEachFile',
  description: 'Checksums every file of a directory, one node per file',
  input: z.object({ source: z.string().min(1).describe('the directory whose files to checksum') }),
})
  .node('list', { description: 'lists the files' }, async (ctx) => {
    const entries = await readdir(ctx.input.source, { recursive: true, withFileTypes: true });
    const files = entries.filter((entry) => entry.isFile()).map((entry) => path.relative(ctx.input.source, path.join(entry.parentPath, entry.name))).sort();
    ctx.log(`found ${files.length} files`);
    return { files };
  })
  .node('checksum', { dependsOn: ['list'], map: { over: 'list.files', maxConcurrency: 4 }, retries: 2, description: 'checksums one file' }, async (ctx) => {
    const file = String(ctx.item);
    const sha256 = createHash('sha256').update(await readFile(path.join(ctx.input.source, file))).digest('hex');
    ctx.log(`#${ctx.index} ${file}: ${sha256}`);
    return { file, sha256 };
  })
  .node('verify', { dependsOn: ['checksum'], description: 'writes the manifest' }, async (ctx) => {
    const manifest = ctx.parents.checksum.map(({ file, sha256 }) => `${sha256}  ${file}`).join('\n');
    ctx.log(manifest);
    return { files: ctx.parents.checksum.length, manifest };
  });

// GuardedBackup: a backup that waits for people and for the outside world,
// none of it holding a worker slot while it waits.
//
//   plan → approve (approval) → backup (child run of BackupDirectory) → offsite (wait for a signal)
//
// `approve` waits for an operator's Approve or Reject (UI, `flowline runs
// approve|reject`); `backup` hands its wait to a child run with
// ctx.startChild and ends as that run does, with its output; `offsite` waits
// for the signal `offsite-copied` (`flowline runs signal`), whose JSON payload
// becomes its output, or fails TIMEOUT after a day.
export const GuardedBackup = defineWorkflow({
  name: 'GuardedBackup',
  description: 'Backs up a directory once an operator approves, then waits to hear the copy went offsite',
  input: z.object(BACKUP_PLACES),
})
  .node('plan', { description: 'says what will be backed up' }, async (ctx) => {
    const entries = await readdir(ctx.input.source);
    ctx.log(`will back up ${entries.length} entries of ${ctx.input.source} to ${ctx.input.destination}`);
    return { entries: entries.length };
  })
  .node('approve', { type: 'approval', dependsOn: ['plan'] })
  .node('backup', { dependsOn: ['approve'], description: 'runs BackupDirectory as a child run' }, async (ctx) =>
    ctx.startChild('BackupDirectory', { source: ctx.input.source, destination: ctx.input.destination, flakyAttempts: 0 }),
  )
  .node('offsite', { type: 'wait', dependsOn: ['backup'], params: { signal: 'offsite-copied' }, timeoutMs: 86_400_000 });
