import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** The UI's files, read once at start: a few KB, served from memory. */
const ASSETS = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
} as const;

function load(file: keyof typeof ASSETS): string {
  return readFileSync(new URL(`./static/${file}`, import.meta.url), 'utf8');
}

/**
 * The web UI at `/`: one HTML page and one ES module, no build step. The page
 * itself is public; everything it shows comes from `/v1` with the bearer token
 * the operator logs in with (kept in the browser's localStorage).
 */
export function registerUiRoutes(app: FastifyInstance): void {
  const files = new Map((Object.keys(ASSETS) as (keyof typeof ASSETS)[]).map((file) => [file, load(file)]));
  const send = (file: keyof typeof ASSETS) => async (_request: unknown, reply: FastifyReply) =>
    reply.type(ASSETS[file]).header('cache-control', 'no-cache').send(files.get(file));
  app.get('/', { schema: { hide: true } }, send('index.html'));
  app.get('/ui/app.js', { schema: { hide: true } }, send('app.js'));
  app.get('/ui/app.css', { schema: { hide: true } }, send('app.css'));
}
