import { shortIdToUuid } from '@flowline/engine/ids';

/** A 22-char run id that begins with '-' (1 in 64 do: base64url) reads to commander as an option. */
const DASHED_ID = /^-[A-Za-z0-9_-]{21}$/;

/**
 * The arguments with every run id that starts with '-' written as its uuid,
 * which the API accepts alike: `flowline runs cancel -u0kpW9CTkmyIBMmOOdUQw`
 * would otherwise fail as an unknown option. No flowline option is 22
 * characters behind a single dash, so nothing else is touched.
 */
export function argvWithSafeRunIds(argv: readonly string[]): string[] {
  return argv.map((arg) => (DASHED_ID.test(arg) ? (shortIdToUuid(arg) ?? arg) : arg));
}
