import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { newRunId, newUuid, shortIdToUuid, uuidToShortId } from '../src/core/ids.ts';
import { newTraceId } from '../src/tracing/runTracing.ts';

/** What the ids' formatting must equal: Buffer's, which it replaced for speed. */
const reference = (uuid: string) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');

describe('ids', () => {
  it('newUuid makes distinct version 4 uuids, across many refills of its random pool', () => {
    const made = Array.from({ length: 5000 }, () => newUuid());
    for (const uuid of made) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(made).size).toBe(made.length);
  });

  it('a run id is a version 7 uuid whose first 48 bits are its start time, shown as 22 chars like any id', () => {
    const now = new Date('2026-12-04T15:40:00.123Z');
    const made = Array.from({ length: 5000 }, () => newRunId(now));
    for (const uuid of made) {
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(parseInt(uuid.replace(/-/g, '').slice(0, 12), 16)).toBe(now.getTime());
      expect(shortIdToUuid(uuidToShortId(uuid))).toBe(uuid);
      expect(uuidToShortId(uuid)).toHaveLength(22);
    }
    expect(new Set(made).size).toBe(made.length);
    // Later starts sort after earlier ones: the order the partitions' ranges rely on.
    expect(newRunId(new Date(now.getTime() + 1)) > made[0]!).toBe(true);
  });

  it('a uuid’s 22-char id is its bytes in base64url, whatever the case of its hex, and leads back to it', () => {
    for (const uuid of [...Array.from({ length: 500 }, () => randomUUID()), ...Array.from({ length: 500 }, () => newUuid())]) {
      expect(uuidToShortId(uuid)).toBe(reference(uuid));
      expect(uuidToShortId(uuid.toUpperCase())).toBe(reference(uuid));
      expect(shortIdToUuid(uuidToShortId(uuid))).toBe(uuid);
    }
  });

  it('text that is not a canonical uuid is read as Buffer reads hex, as before', () => {
    for (const odd of ['', 'abc', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '12345678x1234-1234-1234-123456789012', '0123456789abcdef0123456789abcdef0123']) {
      expect(uuidToShortId(odd)).toBe(reference(odd));
    }
  });

  it('trace ids are 32 distinct hex digits', () => {
    const made = Array.from({ length: 1000 }, () => newTraceId());
    for (const id of made) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(made).size).toBe(made.length);
  });
});
