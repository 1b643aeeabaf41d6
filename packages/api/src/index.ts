export { buildServer, type ServerOptions } from './server.ts';
export { startMetricsServer } from './metricsServer.ts';
