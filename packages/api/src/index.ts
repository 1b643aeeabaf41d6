export { buildServer, type ServerOptions } from './server.ts';
/** The vendor signature schemes flowline verifies, exported so clients (and the chaos fuzzer) can sign requests. */
export { pandoraSignature } from './dialects/pandora/pandoraSignature.ts';
export { camSafeUrlEncode, cosSignature } from './dialects/tencent/cosSignature.ts';
