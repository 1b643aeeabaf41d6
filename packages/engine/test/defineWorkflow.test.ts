import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { defineWorkflow, type WorkflowInput } from '../src/definitions/defineWorkflow.ts';
import { checkRunInput } from '../src/definitions/runInput.ts';
import { ChildRunRequest } from '../src/handlers/childRunRequest.ts';
import type { NodeContext } from '../src/handlers/nodeHandler.ts';
import { DagInvalid, ValidationFailed } from '../src/errors.ts';

const Input = z.object({ cluster: z.string().min(1), keepDays: z.number().int().default(7) });

/** A handler's context as a worker would hand it, with the run's raw input and the parents' outputs. */
function contextOf(input: unknown, parents: Record<string, unknown> = {}): NodeContext {
  return {
    runId: 'r',
    nodeId: 'n',
    workflow: 'Backup',
    node: 'snapshot',
    attempt: 1,
    bizId: 'b',
    input,
    params: {},
    parents,
    item: undefined,
    index: undefined,
    signal: new AbortController().signal,
    idempotencyKey: 'n:1',
    log: () => {},
    startChild: (workflow, childInput) => new ChildRunRequest(workflow, childInput),
  };
}

const Backup = defineWorkflow({ name: 'Backup', description: 'backs up a cluster', input: Input })
  .node('snapshot', { retries: 2, description: 'takes a snapshot' }, async (ctx) => ({ path: `/backups/${ctx.input.cluster}.tar`, keepDays: ctx.input.keepDays }))
  .node('upload', { dependsOn: ['snapshot'] }, async (ctx) => ({ url: `s3:/${ctx.parents.snapshot.path}` }))
  .node('end', { type: 'noop', dependsOn: ['upload'] });

describe('defineWorkflow', () => {
  it('types ctx.input by the schema and ctx.parents by the parents’ return types', () => {
    defineWorkflow({ name: 'Typed', input: Input })
      .node('a', async (ctx) => {
        expectTypeOf(ctx.input).toEqualTypeOf<{ cluster: string; keepDays: number }>();
        return { size: 1 };
      })
      .node('b', async () => 'text')
      .node('c', { dependsOn: ['a', 'b'] }, async (ctx) => {
        expectTypeOf(ctx.parents).toEqualTypeOf<{ readonly a: { size: number }; readonly b: string }>();
        return null;
      });
    expectTypeOf<WorkflowInput<typeof Backup>>().toEqualTypeOf<{ cluster: string; keepDays?: number | undefined }>();
  });

  it('refuses a parent that is not declared before: at compile time, and at definition time', () => {
    expect(() =>
      defineWorkflow({ name: 'Untyped' })
        // @ts-expect-error 'later' is not a node yet
        .node('a', { dependsOn: ['later'] }, async () => null),
    ).toThrow(DagInvalid);
  });

  it('stores the input schema as JSON Schema and names each code node’s handler type', () => {
    expect(Backup.spec.input).toMatchObject({ type: 'object', required: ['cluster'], properties: { cluster: { type: 'string', minLength: 1 } } });
    expect(Backup.spec.nodes.map((n) => [n.name, n.type, n.handler, n.dependsOn])).toEqual([
      ['snapshot', 'code', 'Backup.snapshot', []],
      ['upload', 'code', 'Backup.upload', ['snapshot']],
      ['end', 'noop', undefined, ['upload']],
    ]);
    expect(Backup.spec.nodes[0]!.retries).toBe(2);
    expect([...Backup.handlers.keys()]).toEqual(['Backup.snapshot', 'Backup.upload']);
    expect(Backup.handlers.get('Backup.snapshot')!.description).toBe('takes a snapshot');
  });

  it('parses the run input before the handler runs: defaults applied', async () => {
    const output = await Backup.handlers.get('Backup.snapshot')!.run(contextOf({ cluster: 'c1' }));
    expect(output).toEqual({ path: '/backups/c1.tar', keepDays: 7 });
  });

  it('fails the node, naming the field, when the stored input no longer fits the schema', async () => {
    await expect(Backup.handlers.get('Backup.snapshot')!.run(contextOf({ cluster: 3 }))).rejects.toThrow(/cluster/);
  });

  it('hands a handler its parents’ outputs', async () => {
    const output = await Backup.handlers.get('Backup.upload')!.run(contextOf({ cluster: 'c1' }, { snapshot: { path: '/backups/c1.tar' } }));
    expect(output).toEqual({ url: 's3://backups/c1.tar' });
  });

  it('still takes its nodes as a list', () => {
    const listed = defineWorkflow({ name: 'Listed', nodes: [{ name: 'a', run: async () => null }, { name: 'b', type: 'noop', dependsOn: ['a'] }] });
    expect(listed.spec.nodes.map((n) => n.type)).toEqual(['code', 'noop']);
    expect(listed.spec.input).toBeUndefined();
  });

  it('refuses a node declared twice, at definition time', () => {
    expect(() => Backup.node('snapshot', async () => null)).toThrow(DagInvalid);
  });
});

describe('a run input checked against its definition’s schema', () => {
  const refusal = (input: unknown, spec = Backup.spec): ValidationFailed => {
    try {
      checkRunInput(spec, input);
    } catch (error) {
      if (error instanceof ValidationFailed) return error;
      throw error;
    }
    throw new Error('expected the input to be refused');
  };

  it('passes an input that fits', () => {
    expect(() => checkRunInput(Backup.spec, { cluster: 'c1', keepDays: 3 })).not.toThrow();
  });

  it('names a field of the wrong type', () => {
    const error = refusal({ cluster: 42 });
    expect(error.message).toBe('input.cluster: must be string');
    expect(error.details).toMatchObject({ field: 'input.cluster' });
  });

  it('names a missing field', () => {
    expect(refusal({}).message).toBe('input.cluster: is required');
  });

  it('names every failing field, nested ones by their path', () => {
    const spec = { name: 'w', nodes: [], input: { type: 'object', properties: { target: { type: 'object', properties: { port: { type: 'integer' } } } } } };
    expect(refusal({ target: { port: 'x' } }, spec).message).toBe('input.target.port: must be integer');
    expect(refusal({ cluster: '', keepDays: 1.5 }).message).toBe('input.cluster: must NOT have fewer than 1 characters; input.keepDays: must be integer');
  });

  it('reads a draft-07 schema written by hand', () => {
    const spec = { name: 'w', nodes: [], input: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['bucket'] } };
    expect(refusal({}, spec).message).toBe('input.bucket: is required');
  });

  it('refuses, with the definition, a schedule whose input fails the schema', () => {
    expect(() =>
      defineWorkflow({ name: 'Nightly', input: Input, schedules: [{ name: 'nightly', expression: '0 0 23 * * ?', input: { keepDays: 3 } }] }).node(
        'a',
        async () => null,
      ),
    ).toThrow('schedule nightly: input.cluster: is required');
  });

  it('refuses a schema that is not one, as the author’s mistake', () => {
    expect(refusal({}, { name: 'w', nodes: [], input: { type: 'no-such-type' } }).message).toMatch(/^input: not a JSON Schema flowline can check/);
  });
});

describe('defineWorkflow: a map node', () => {
  it("declares its map in the spec, and types its children's parent as the list of its outputs", async () => {
    const Each = defineWorkflow({ name: 'Each' })
      .node('list', async () => ({ files: ['a', 'b'] }))
      .node('checksum', { dependsOn: ['list'], map: { over: 'list.files', maxConcurrency: 2 } }, async (ctx) => ({ file: String(ctx.item), index: ctx.index ?? -1 }))
      .node('verify', { dependsOn: ['checksum'] }, async (ctx) => ctx.parents.checksum.map((c) => `${c.index}:${c.file}`).join(','));
    expect(Each.spec.nodes[1]).toMatchObject({ name: 'checksum', map: { over: 'list.files', maxConcurrency: 2 } });
    const verify = Each.handlers.get('Each.verify')!.run;
    expect(await verify(contextOf(undefined, { checksum: [{ file: 'a', index: 0 }, { file: 'b', index: 1 }] }))).toBe('0:a,1:b');
  });
});
