import type { FastifyInstance } from 'fastify';

/**
 * The web UI and /docs (Swagger UI): their own scripts and styles only, and
 * data from here. No inline script can run, so markup that slipped past
 * escaping stays inert; inline `style` attributes, which the UI's badges and
 * DAG and Swagger UI use, are allowed — styles run no code.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Everything else is data (JSON, XML, text): nothing in it may load or run, nor be framed. */
const DATA_POLICY = "default-src 'none'; frame-ancestors 'none'";

const PAGE = /^\/(\?|$|ui\/|docs(\/|\?|$))/;

const policyFor = (url: string) => (PAGE.test(url) ? PAGE_POLICY : DATA_POLICY);

/**
 * Browser hardening on every response of every surface: a Content-Security-
 * Policy without inline script, no framing (clickjacking), no MIME sniffing
 * (a JSON body holding markup is never run as HTML), and no Referer carrying
 * a run id to another site. Registered on the root, so dialect scopes inherit it.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('content-security-policy', policyFor(request.url));
    reply.header('x-frame-options', 'DENY');
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });
}
