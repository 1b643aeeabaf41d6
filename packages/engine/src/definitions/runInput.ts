import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import type { WorkflowSpec } from '../core/spec.ts';
import { ValidationFailed } from '../errors.ts';

/**
 * A run's input checked against its definition's `input` JSON Schema, in
 * whatever process starts the run: the schema is stored with the definition,
 * so an API process that never loaded the workflow's module refuses a bad
 * input as surely as the worker that runs it would. JSON Schema rather than
 * zod: a definition written as JSON (native API, `flowline defs apply`,
 * Pandora) declares its input the same way as `defineWorkflow({ input })`,
 * which stores its zod schema's JSON Schema.
 */

// Draft 2020-12 (what zod's toJSONSchema writes) by default; draft-07, the most
// written by hand, when a schema names it. Not strict: a schema's own keywords
// (`title`, vendor extensions) are annotations, never a reason to refuse it.
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addMetaSchema(draft07);

/** Compiled validators by the spec they belong to: a version's spec object lives as long as the definition cache holds it. */
const validators = new WeakMap<WorkflowSpec, ValidateFunction>();

/** Compiles a definition's input schema; a schema that is not one is the author's mistake, named as such. */
function validatorOf(spec: WorkflowSpec): ValidateFunction | undefined {
  if (spec.input === undefined) return undefined;
  let validate = validators.get(spec);
  if (!validate) {
    try {
      validate = ajv.compile(spec.input);
    } catch (error) {
      throw new ValidationFailed(`input: not a JSON Schema flowline can check: ${(error as Error).message}`, { field: 'input' });
    }
    validators.set(spec, validate);
  }
  return validate;
}

/**
 * Refuses a definition whose `input` is not a usable JSON Schema, or one of
 * whose schedules would start runs with an input it fails: at create or
 * update, not at a start or a firing.
 */
export function checkInputSchema(spec: WorkflowSpec): void {
  validatorOf(spec);
  for (const schedule of spec.schedules ?? []) {
    try {
      checkRunInput(spec, schedule.input);
    } catch (error) {
      if (!(error instanceof ValidationFailed)) throw error;
      throw new ValidationFailed(`schedule ${schedule.name}: ${error.message}`, { ...error.details, schedule: schedule.name });
    }
  }
}

/**
 * Refuses a start whose input fails its definition's schema, naming each field
 * (`input.cluster: must be string`); the first field is in `details.field`.
 * A definition without a schema takes any input.
 */
export function checkRunInput(spec: WorkflowSpec, input: unknown): void {
  const validate = validatorOf(spec);
  if (!validate || validate(input ?? {})) return;
  const issues = (validate.errors ?? []).map(issueOf);
  throw new ValidationFailed(issues.map((i) => `${i.field}: ${i.message}`).join('; '), { field: issues[0]?.field ?? 'input', issues });
}

/** One failed keyword as a field path and a message, the way zod's issues read elsewhere in flowline. */
function issueOf(error: ErrorObject): { field: string; message: string } {
  const path = ['input', ...error.instancePath.split('/').slice(1).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))];
  if (error.keyword === 'required') return { field: [...path, String(error.params.missingProperty)].join('.'), message: 'is required' };
  if (error.keyword === 'additionalProperties') {
    return { field: [...path, String(error.params.additionalProperty)].join('.'), message: 'is not allowed' };
  }
  return { field: path.join('.'), message: error.message ?? 'is invalid' };
}
