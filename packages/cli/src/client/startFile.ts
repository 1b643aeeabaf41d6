import { readFile } from 'node:fs/promises';
import type { BatchStart } from '@flowline/client';
import { CliFailure, ExitCode } from './exitCode.ts';

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The starts of `flowline runs start --from-file`: a JSON array of start
 * objects, or JSON Lines (one object a line, as a script appends them), each
 * `{ workflow?, bizId?, bizType?, input?, idempotencyKey?, priority? }`. A start without
 * a workflow takes the command's `<workflow>` argument. `-` reads stdin.
 * Field values are the server's to validate: it answers per start.
 */
export async function readStartFile(file: string, workflow: string | undefined): Promise<BatchStart[]> {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliFailure(`cannot read ${file}: ${(error as Error).message}`, ExitCode.USAGE);
  }
  const trimmed = text.trim();
  let entries: unknown[];
  try {
    entries = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : trimmed.split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line) as unknown);
  } catch (error) {
    throw new CliFailure(`${file} is neither a JSON array nor JSON Lines: ${(error as Error).message}`, ExitCode.USAGE);
  }
  if (entries.length === 0) throw new CliFailure(`${file} holds no starts`, ExitCode.USAGE);
  return entries.map((entry, i) => {
    if (!isObject(entry)) throw new CliFailure(`${file}: start ${i + 1} is not a JSON object`, ExitCode.USAGE);
    const named = entry.workflow ?? workflow;
    if (typeof named !== 'string') throw new CliFailure(`${file}: start ${i + 1} names no workflow, and none was given as an argument`, ExitCode.USAGE);
    return { ...entry, workflow: named } as BatchStart;
  });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
