import { ValidationFailed } from '@flowline/engine';

/**
 * Opaque keyset cursors over a numeric key (an id, a sequence number):
 * `<tag><number>` in base64url, so clients pass back what they were given
 * and a cursor of one list is refused by another.
 */
export function keysetCursor(tag: string) {
  return {
    encode: (key: number): string => Buffer.from(`${tag}${key}`).toString('base64url'),
    decode: (cursor: string): number => {
      const text = Buffer.from(cursor, 'base64url').toString('utf8');
      if (!text.startsWith(tag) || !/^\d{1,18}$/.test(text.slice(tag.length))) throw new ValidationFailed('cursor: not a cursor this API returned');
      return Number(text.slice(tag.length));
    },
  };
}
