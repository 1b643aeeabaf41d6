/**
 * `table[key]` when `key` is one of the table's own fields, else undefined.
 * A client's field name looked up in a plain object also finds what every
 * object inherits — `constructor`, `toString`, `__proto__` — and an EnOS
 * sorter of `constructor` ordered by a function: a 500.
 */
export function ownField<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
