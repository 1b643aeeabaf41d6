import { randomUUID } from 'node:crypto';

/**
 * Run and node ids are UUIDv4 in storage and 22-char base64url (no padding) on
 * the wire: the TiEM format (`fXgXFrNVRv2GLE0vYJvsYw`), which every dialect shares.
 */
export function newUuid(): string {
  return randomUUID();
}

export function uuidToShortId(uuid: string): string {
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
