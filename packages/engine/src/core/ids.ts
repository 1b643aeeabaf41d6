import { randomFillSync } from 'node:crypto';

/**
 * Run ids are UUIDv7 (newRunId), node and other ids UUIDv4, in storage and 22-char base64url (no padding) on
 * the wire: the TiEM format (`fXgXFrNVRv2GLE0vYJvsYw`), which every dialect shares.
 *
 * Ids are made and shown by the thousand (a 10,000-node run's rows, a start
 * burst of 20,000 runs), so each is formatted in a scratch buffer and leaves
 * one string behind: `crypto.randomUUID` concatenates twenty pieces per id, and
 * a regex, a hex Buffer and a base64 string per id shown made most of a start's
 * garbage.
 */

/** Random bytes, drawn 4 KB at a time from the system's generator (as randomUUID caches them). */
const random = Buffer.allocUnsafeSlow(4096);
let randomAt = random.length;

/** The offset of `n` fresh random bytes in `random`. */
function takeRandom(n: number): number {
  if (randomAt + n > random.length) {
    randomFillSync(random);
    randomAt = 0;
  }
  const at = randomAt;
  randomAt += n;
  return at;
}

const HEX = Buffer.from('0123456789abcdef', 'latin1');
/** Where a uuid's text puts its dashes. */
const IS_DASH = new Uint8Array(36);
for (const at of [8, 13, 18, 23]) IS_DASH[at] = 1;
const scratch = Buffer.allocUnsafeSlow(36);

export function newUuid(): string {
  const at = takeRandom(16);
  random[at + 6] = (random[at + 6]! & 0x0f) | 0x40; // version 4
  return formatUuid(at);
}

/**
 * A run id: a UUIDv7 (RFC 9562), its first 48 bits the start time in Unix
 * milliseconds, the other 74 random. History is partitioned by ranges of run
 * id (storage/schema.ts, workflow_runs), so the time in the id is what puts a
 * run, its nodes and its attempts in the partition of its period; 74 random
 * bits keep ids as unguessable in practice as v4's 122 among the runs of one
 * millisecond. Shown in the same 22-char form as every id.
 */
export function newRunId(now: Date): string {
  const at = takeRandom(16);
  let ms = now.getTime();
  for (let i = 5; i >= 0; i--) {
    random[at + i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  random[at + 6] = (random[at + 6]! & 0x0f) | 0x70; // version 7
  return formatUuid(at);
}

/** The uuid text of the 16 bytes at `at` of `random`, with the RFC 9562 variant set. */
function formatUuid(at: number): string {
  random[at + 8] = (random[at + 8]! & 0x3f) | 0x80; // variant 10
  let out = 0;
  for (let i = 0; i < 16; i++) {
    if (IS_DASH[out]) scratch[out++] = 0x2d;
    const byte = random[at + i]!;
    scratch[out++] = HEX[byte >> 4]!;
    scratch[out++] = HEX[byte & 15]!;
  }
  return scratch.toString('latin1', 0, 36);
}

/** 16 random bytes as 32 hex digits (an OpenTelemetry trace id). */
export function newRandomHex16(): string {
  const at = takeRandom(16);
  return random.toString('hex', at, at + 16);
}

/** A hex digit's value, -1 for anything else. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** The 22-character base64url form of a uuid, as every surface shows run and node ids. */
export function uuidToShortId(uuid: string): string {
  if (uuid.length === 36) {
    let b = 0;
    for (let i = 0; i < 36; i++) {
      if (IS_DASH[i]) {
        if (uuid.charCodeAt(i) !== 0x2d) break;
        continue;
      }
      const byte = (nibble(uuid.charCodeAt(i)) << 4) | nibble(uuid.charCodeAt(++i));
      if (byte < 0) break;
      scratch[b++] = byte;
    }
    if (b === 16) return scratch.toString('base64url', 0, 16);
  }
  // Not a canonical uuid's text: Buffer's reading of whatever hex it holds, as ever.
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

const SHORT_ID = /^[A-Za-z0-9_-]{22}$/;

/** The uuid behind a 22-char id, or undefined if the text is not one. */
export function shortIdToUuid(shortId: string): string | undefined {
  if (!SHORT_ID.test(shortId)) return undefined;
  const hex = Buffer.from(shortId, 'base64url').toString('hex');
  if (hex.length !== 32) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
