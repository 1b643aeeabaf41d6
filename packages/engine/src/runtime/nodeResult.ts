/**
 * A node's result text in the TiEM style: each logged line followed by " \n",
 * then "Completed.\n" on success (`backup cluster X \nCompleted.\n`).
 */
export function resultText(lines: readonly string[], ending: string): string {
  return lines.map((line) => `${line} \n`).join('') + ending;
}

/** The last line of a successful node's result text, as TiEM writes it. */
export const COMPLETED = 'Completed.\n';
