import v8 from 'node:v8';

/**
 * How far past its live size a server process's V8 heap grows before a full
 * collection: +50%. V8's own rule lets a heap that collects fast grow up to 4×
 * on a machine with memory to spare, and a process's garbage is mostly young
 * objects promoted under load (an API answering thousands of starts a second),
 * so its resident set tracked that allowance, not what it holds: the API
 * process held 38 MB after a full collection and grew to 155 MB before the
 * next one while 20,000 runs were started (RSS 129 → 207–258 MB). At +50% its
 * heap peaks near 60 MB (RSS ~160 MB), for 7–8 full collections of a small heap
 * a burst instead of 2 (4–17 ms each, mostly incremental): ~0.1 s in a burst
 * of 20–30 s, within the noise of S1's throughput.
 */
const HEAP_GROWTH_PERCENT = 50;

const FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * Applies HEAP_GROWTH_PERCENT to this process, unless the operator set V8's
 * `--heap-growing-percent` in NODE_OPTIONS or on node's command line: theirs
 * wins (`--heap-growing-percent=0` gives V8's own rule back). V8 reads the
 * flag at every full collection, so setting it once the process runs takes
 * effect from the next one.
 */
export function limitHeapGrowth(nodeOptions: readonly string[]): void {
  if ([...process.execArgv, ...nodeOptions].some((flag) => FLAG.test(flag))) return;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWTH_PERCENT}`);
}
