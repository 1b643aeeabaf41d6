import { randomBytes } from 'node:crypto';
import { buildServer } from '@flowline/api';
import { CredentialAuthority, DEFAULT_ORG, Engine, SecretSeal, connectRedis, migrateDatabase, openDatabase } from '@flowline/engine';
import type { BenchEnvironment } from '../harness/benchEnvironment.ts';
import { Better, type Measurement } from '../harness/measurement.ts';
import { progress } from '../harness/progress.ts';
import { createScratchDatabase } from '../harness/scratchDatabase.ts';
import { createScratchRedisPrefix } from '../harness/scratchRedis.ts';
import { percentile, spread } from '../harness/stats.ts';
import { enosHistory } from '../history/enosHistory.ts';
import { explorerHistory } from '../history/explorerHistory.ts';
import { loadHistory } from '../history/historyLoader.ts';
import type { HistoryApi, HistoryContext } from '../history/historyQuery.ts';
import { nativeHistory } from '../history/nativeHistory.ts';
import { tencentHistory } from '../history/tencentHistory.ts';
import { tiemHistory } from '../history/tiemHistory.ts';

/** Every history API the scenario knows how to call; a vendor dialect not registered in this tree is reported n/a. */
const HISTORY_APIS: readonly HistoryApi[] = [nativeHistory, tiemHistory, enosHistory, explorerHistory, tencentHistory];
const WORKFLOWS = 4;
const WARM_UP_REQUESTS = 5;

/**
 * S4, flowline only (the peers keep no run history to query): load the
 * history in bulk, serve it with the real HTTP server (auth, validation,
 * serialisation included), and time each list query, one request at a time.
 */
export async function runHistoryScenario(env: BenchEnvironment): Promise<Measurement[]> {
  const { historyRuns, historyRequests, repetitions } = env.scale;
  const database = await createScratchDatabase(env.databaseUrl, 'history');
  const keys = createScratchRedisPrefix(env.redisUrl, 'history');
  const db = openDatabase(database.url, { max: 10 });
  const redis = connectRedis(env.redisUrl);
  const engine = new Engine({ db, redis, queuePrefix: keys.prefix });
  const authority = new CredentialAuthority(db, new SecretSeal(randomBytes(32).toString('hex')));
  const app = await buildServer({ engine, authority });
  const measurements: Measurement[] = [];
  try {
    await migrateDatabase(db);
    const definitions = [];
    for (let i = 0; i < WORKFLOWS; i++) {
      const stored = await engine.applyDefinition({ name: `bench_history_${i}`, nodes: [{ name: 'step', type: 'noop' }] });
      definitions.push({ id: stored.id, name: `bench_history_${i}` });
    }
    progress(`S4 loading ${historyRuns.toLocaleString('en')} runs`);
    const loadStarted = performance.now();
    const history = await loadHistory(db.pool, historyRuns, definitions, DEFAULT_ORG);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    progress(`S4 loaded in ${loadSeconds.toFixed(1)} s (${Math.round(historyRuns / loadSeconds).toLocaleString('en')} runs/s, indexes rebuilt, vacuumed)`);
    measurements.push({ scenario: 'S4', metric: 'bulk load (INSERT … SELECT generate_series)', unit: 'runs/s', better: Better.HIGHER, contender: 'flowline', samples: [historyRuns / loadSeconds], spread: spread([historyRuns / loadSeconds]) });

    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    const context: HistoryContext = {
      baseUrl: address,
      history,
      orgId: DEFAULT_ORG,
      issue: (kind) => authority.issue({ kind, role: 'reader', orgId: DEFAULT_ORG }),
    };
    for (const api of HISTORY_APIS) {
      const metric = (query: string, p: string) => `${api.name} ${api.route.method} ${api.route.url}: ${query} ${p}`;
      if (!app.hasRoute(api.route)) {
        measurements.push({ scenario: 'S4', metric: metric('every query', 'p99'), unit: 'ms', better: Better.LOWER, contender: 'flowline', samples: [], note: 'n/a (dialect not in this tree)' });
        continue;
      }
      for (const query of await api.queries(context)) {
        const p50s: number[] = [];
        const p99s: number[] = [];
        for (let i = 0; i < WARM_UP_REQUESTS; i++) await expectOk(api.name, query.name, await query.send());
        for (let rep = 1; rep <= repetitions; rep++) {
          const times: number[] = [];
          for (let i = 0; i < historyRequests; i++) {
            const started = performance.now();
            const response = await query.send();
            await expectOk(api.name, query.name, response);
            times.push(performance.now() - started);
          }
          p50s.push(percentile(times, 50));
          p99s.push(percentile(times, 99));
        }
        progress(`S4 ${api.name} ${query.name}: p50 ${p50s.map((v) => v.toFixed(1)).join('/')} ms, p99 ${p99s.map((v) => v.toFixed(1)).join('/')} ms`);
        measurements.push({ scenario: 'S4', metric: metric(query.name, 'p50'), unit: 'ms', better: Better.LOWER, contender: 'flowline', samples: p50s, spread: spread(p50s) });
        measurements.push({ scenario: 'S4', metric: metric(query.name, 'p99'), unit: 'ms', better: Better.LOWER, contender: 'flowline', samples: p99s, spread: spread(p99s) });
      }
    }
    return measurements;
  } finally {
    await app.close();
    await engine.close();
    redis.disconnect();
    await db.close();
    await keys.drop();
    await database.drop();
  }
}

/** Reads the body (a timed request includes receiving it) and fails loudly on anything but 200. */
async function expectOk(api: string, query: string, response: Response): Promise<void> {
  const body = await response.text();
  if (response.status !== 200) throw new Error(`S4 ${api} ${query}: HTTP ${response.status} ${body.slice(0, 300)}`);
}
