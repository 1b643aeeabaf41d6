import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * Tencent WorkflowIds are `w` + 32 lowercase hex digits. flowline's workflow is
 * a definition with a numeric id, so the id is one AES-128 block of
 * "flowline" + the id as 8 big-endian bytes, under a fixed key: deterministic,
 * reversible without a lookup, and a forged or mistyped id decrypts to a block
 * without the "flowline" tag and is refused. It hides nothing secret (the key
 * is in this file); it only gives the id the vendor's shape.
 */
const KEY = createHash('sha256').update('flowline tencent-ci workflow id').digest().subarray(0, 16);
const TAG = Buffer.from('flowline');

export function toWorkflowId(definitionId: number): string {
  const block = Buffer.alloc(16);
  TAG.copy(block);
  block.writeBigUInt64BE(BigInt(definitionId), 8);
  const cipher = createCipheriv('aes-128-ecb', KEY, null).setAutoPadding(false);
  return `w${Buffer.concat([cipher.update(block), cipher.final()]).toString('hex')}`;
}

/** The definition id behind a WorkflowId, or undefined if the text is not one flowline issued. */
export function definitionIdOf(workflowId: string): number | undefined {
  if (!/^w[0-9a-f]{32}$/.test(workflowId)) return undefined;
  const decipher = createDecipheriv('aes-128-ecb', KEY, null).setAutoPadding(false);
  const block = Buffer.concat([decipher.update(Buffer.from(workflowId.slice(1), 'hex')), decipher.final()]);
  if (!block.subarray(0, 8).equals(TAG)) return undefined;
  const id = block.readBigUInt64BE(8);
  return id <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(id) : undefined;
}

/** RunIds are `i` + the run's uuid as 32 lowercase hex digits. */
export function toRunId(runUuid: string): string {
  return `i${runUuid.replaceAll('-', '')}`;
}

/** The run uuid behind a RunId, or undefined. */
export function runUuidOf(runId: string): string | undefined {
  const match = /^i([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/.exec(runId);
  return match ? match.slice(1).join('-') : undefined;
}
