import { ValidationFailed } from '@flowline/engine';
import type { FastifyInstance } from 'fastify';
import { jsonDepthProblem } from './jsonDepth.ts';
import { inputProblem } from './wellFormedInput.ts';

/**
 * The one input check every surface shares, registered on the root before the
 * dialects so their scopes inherit it: JSON bodies are refused past
 * MAX_JSON_DEPTH before they are parsed (dialects with parsers of their own
 * call jsonDepthProblem too), and the parsed path parameters, query and body
 * are refused when they hold NUL, a lone surrogate or a prototype key. A
 * refusal is a ValidationFailed, which each dialect's one error table answers
 * with its own 4xx — the client's mistake, never a 500.
 */
export function registerInputHygiene(app: FastifyInstance): void {
  // fastify's own parser, which already refuses __proto__ and constructor.prototype keys
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const problem = jsonDepthProblem(body as string);
    if (problem !== undefined) return done(new ValidationFailed(`body: ${problem}`), undefined);
    parseJson(request, body as string, done);
  });
  app.addHook('preValidation', async (request) => {
    const problem = inputProblem(request.params, 'path') ?? inputProblem(request.query, 'query') ?? inputProblem(request.body, 'body');
    if (problem !== undefined) throw new ValidationFailed(problem);
  });
}
