import { describe, expect, it } from 'vitest';
import { compileDag } from '../src/core/dag.ts';
import { WorkflowSpecSchema, type WorkflowSpecInput } from '../src/core/spec.ts';
import { DagInvalid } from '../src/errors.ts';

const TYPES = new Set(['noop', 'sleep']);
const dag = (nodes: WorkflowSpecInput['nodes']) => compileDag(WorkflowSpecSchema.parse({ name: 'w', nodes }), TYPES);

function invalid(nodes: WorkflowSpecInput['nodes']): DagInvalid {
  try {
    dag(nodes);
  } catch (error) {
    if (error instanceof DagInvalid) return error;
    throw error;
  }
  throw new Error('expected DagInvalid');
}

describe('compileDag', () => {
  it('orders a chain as declared and records both edge directions', () => {
    const d = dag([
      { name: 'a', type: 'noop' },
      { name: 'b', type: 'noop', dependsOn: ['a'] },
      { name: 'c', type: 'noop', dependsOn: ['b'] },
    ]);
    expect(d.order).toEqual(['a', 'b', 'c']);
    expect(d.parents.get('c')).toEqual(['b']);
    expect(d.children.get('a')).toEqual(['b']);
  });

  it('puts a join after all of its parents even when declared first', () => {
    const d = dag([
      { name: 'join', type: 'noop', dependsOn: ['left', 'right'] },
      { name: 'left', type: 'noop', dependsOn: ['root'] },
      { name: 'right', type: 'noop', dependsOn: ['root'] },
      { name: 'root', type: 'noop' },
    ]);
    expect(d.order).toEqual(['root', 'left', 'right', 'join']);
  });

  it('names the node declared twice', () => {
    expect(invalid([{ name: 'a', type: 'noop' }, { name: 'a', type: 'noop' }]).node).toBe('a');
  });

  it('names the node depending on an unknown node', () => {
    const error = invalid([{ name: 'a', type: 'noop', dependsOn: ['ghost'] }]);
    expect(error.node).toBe('a');
    expect(error.message).toContain('ghost');
  });

  it('names the node with an unknown type', () => {
    expect(invalid([{ name: 'a', type: 'teleport' }]).node).toBe('a');
  });

  it('names a node of a cycle', () => {
    const error = invalid([
      { name: 'a', type: 'noop', dependsOn: ['c'] },
      { name: 'b', type: 'noop', dependsOn: ['a'] },
      { name: 'c', type: 'noop', dependsOn: ['b'] },
    ]);
    expect(['a', 'b', 'c']).toContain(error.node);
    expect(error.message).toContain('cycle');
  });

  it('refuses a node depending on itself', () => {
    expect(invalid([{ name: 'a', type: 'noop', dependsOn: ['a'] }]).node).toBe('a');
  });
});
