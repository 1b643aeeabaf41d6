import type { FastifyError } from 'fastify';

/**
 * One line naming every field a request failed schema validation on
 * (`pageSize: Too big…; page: …`), the message every API's 400 carries.
 */
export function validationMessage(error: Partial<FastifyError> & Pick<Required<FastifyError>, 'validation'>): string {
  return error.validation
    .map((v) => `${v.instancePath.slice(1).replaceAll('/', '.') || (error.validationContext ?? 'request')}: ${v.message}`)
    .join('; ');
}
