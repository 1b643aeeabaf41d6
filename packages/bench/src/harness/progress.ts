/** Progress lines on stderr, so stdout carries only the result table. */
export function progress(line: string): void {
  const clock = new Date().toISOString().slice(11, 19);
  process.stderr.write(`[${clock}] ${line}\n`);
}
