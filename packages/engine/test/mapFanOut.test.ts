import { describe, expect, it } from 'vitest';
import { compileDag, type Dag } from '../src/core/dag.ts';
import { decideInTurn } from '../src/core/decideInTurn.ts';
import { elementName, elementPosition, parentsOf, parseElement, specOf } from '../src/core/mapElements.ts';
import { listAt, MAX_MAP_ITEMS, type MapList } from '../src/core/mapSpec.ts';
import type { Command, NodeStateRow, RunEvent, RunState } from '../src/core/runState.ts';
import { runStateFromRows } from '../src/core/runStateFromRows.ts';
import { WorkflowSpecSchema } from '../src/core/spec.ts';
import { Status } from '../src/core/status.ts';
import { DagInvalid } from '../src/errors.ts';

/**
 * Map fan-out, decided by the pure core: a node with `map: { over }` becomes
 * one element per item of its parent's list when it is reached, elements run
 * up to maxConcurrency at once, fail and retry alone, and the map ends when
 * they all have — joined, failed or cancelled. States are built the way the
 * engine builds them (compileDag + runStateFromRows) and driven with
 * decideInTurn, which applies each decision's commands as the write would.
 */
const NOW = new Date('2026-01-01T00:00:00Z');
const S = Status;

function dagOf(map: { over: string; maxConcurrency?: number }, retries = 0): Dag {
  return compileDag(
    WorkflowSpecSchema.parse({
      name: 'backups',
      nodes: [
        { name: 'list', type: 'noop' },
        { name: 'config', type: 'noop' },
        { name: 'backup', type: 'noop', dependsOn: ['list', 'config'], map, retries },
        { name: 'report', type: 'noop', dependsOn: ['backup'] },
      ],
    }),
  );
}

/** A run's rows (declared nodes by name, then any elements), as a whole read gives them. */
function stateOf(dag: Dag, rows: Record<string, Status>, options: { run?: Status; mapLists?: Map<string, MapList>; cancelRequested?: boolean } = {}): RunState {
  const nodes: NodeStateRow[] = Object.entries(rows).map(([name, status]) => ({ name, status, attempt: 1, leaseOwner: status === S.RUNNING ? 'w' : null }));
  return runStateFromRows({ status: options.run ?? S.RUNNING, cancelRequested: options.cancelRequested ?? false, nodes, mapLists: options.mapLists }, dag);
}

const succeeded = (node: string, output?: unknown, attempt = 1): RunEvent => ({ type: 'NODE_SUCCEEDED', node, attempt, leaseOwner: 'w', outcome: { output } });
const failed = (node: string, attempt = 1): RunEvent => ({ type: 'NODE_FAILED', node, attempt, leaseOwner: 'w', failure: 'FAIL', outcome: { error: 'boom' } });

function decideAll(state: RunState, events: RunEvent[]): { commands: Command[]; state: RunState } {
  const decided = decideInTurn(state, events, NOW);
  return { commands: decided.commands.flat(), state: decided.state };
}

const writes = (commands: Command[]) => commands.flatMap((c) => (c.type === 'SET_NODE' ? [`${c.node}:${statusKey(c.from)}>${statusKey(c.to)}`] : []));
const statusKey = (code: number) => (Object.keys(S) as (keyof typeof S)[]).find((k) => S[k] === code)!;
const enqueued = (commands: Command[]) => commands.flatMap((c) => (c.type === 'ENQUEUE' ? [`${c.node}#${c.attempt}`] : []));
const ofType = <T extends Command['type']>(commands: Command[], type: T) => commands.filter((c): c is Extract<Command, { type: T }> => c.type === type);
const statusOf = (state: RunState, name: string) => statusKey(state.nodes.find((n) => n.name === name)!.status);

/** The run once its map is reached over a list of `length`, its READY elements claimed (RUNNING under worker w), as workers would. */
function reached(dag: Dag, length: number): RunState {
  const before = stateOf(dag, { list: S.RUNNING, config: S.SUCCESS, backup: S.WAIT, report: S.WAIT });
  return claimed(decideAll(before, [succeeded('list', { clusters: Array.from({ length }, (_, i) => `c${i}`) })]).state);
}

/** The state after worker w claimed every READY element (a claim is no decision: it moves READY to RUNNING under a lease). */
function claimed(state: RunState): RunState {
  return { ...state, nodes: state.nodes.map((n) => (n.elementOf && n.status === S.READY ? { ...n, status: S.RUNNING, leaseOwner: 'w' } : n)) };
}

describe('map fan-out: reaching a map', () => {
  it("becomes one element per item of its parent's list, all started, the map RUNNING", () => {
    const dag = dagOf({ over: 'list.clusters' });
    const state = stateOf(dag, { list: S.RUNNING, config: S.SUCCESS, backup: S.WAIT, report: S.WAIT });
    const { commands, state: after } = decideAll(state, [succeeded('list', { clusters: ['a', 'b', 'c'] })]);
    expect(writes(commands)).toEqual(['list:RUNNING>SUCCESS', 'backup:WAIT>RUNNING']);
    expect(ofType(commands, 'ADD_ELEMENTS')).toEqual([{ type: 'ADD_ELEMENTS', node: 'backup', count: 3, started: 3, startedAs: S.READY }]);
    expect(enqueued(commands)).toEqual(['backup[0]#1', 'backup[1]#1', 'backup[2]#1']);
    expect(after.nodes.map((n) => n.name)).toEqual(['list', 'config', 'backup', 'report', 'backup[0]', 'backup[1]', 'backup[2]']);
  });

  it('starts only maxConcurrency elements; each one ending starts the next waiting one, in index order', () => {
    const dag = dagOf({ over: 'list.clusters', maxConcurrency: 2 });
    const state = reached(dag, 5);
    expect(state.nodes.filter((n) => n.elementOf).map((n) => statusKey(n.status))).toEqual(['RUNNING', 'RUNNING', 'WAIT', 'WAIT', 'WAIT']);
    const { commands } = decideAll(state, [succeeded('backup[1]', 'ok')]);
    expect(writes(commands)).toEqual(['backup[1]:RUNNING>SUCCESS', 'backup[2]:WAIT>READY']);
    expect(enqueued(commands)).toEqual(['backup[2]#1']);
  });

  it('an empty list skips the map, and the nodes after it run', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const state = stateOf(dag, { list: S.RUNNING, config: S.SUCCESS, backup: S.WAIT, report: S.WAIT });
    const { commands } = decideAll(state, [succeeded('list', { clusters: [] })]);
    expect(writes(commands)).toEqual(['list:RUNNING>SUCCESS', 'backup:WAIT>SKIP', 'report:WAIT>READY']);
    expect(ofType(commands, 'ADD_ELEMENTS')).toEqual([]);
  });

  it('no list at the path fails the map, and with it the run, saying what is there', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const state = stateOf(dag, { list: S.RUNNING, config: S.SUCCESS, backup: S.WAIT, report: S.WAIT });
    const { commands } = decideAll(state, [succeeded('list', { clusters: 'all' })]);
    expect(writes(commands)).toEqual(['list:RUNNING>SUCCESS', 'backup:WAIT>FAIL', 'report:WAIT>CANCEL']);
    const failure = ofType(commands, 'SET_NODE').find((c) => c.node === 'backup')!;
    expect(failure.outcome?.error).toBe('map over list.clusters: a string is there, not a list');
    expect(ofType(commands, 'SET_RUN').at(-1)).toMatchObject({ to: S.FAIL });
  });

  it(`a list longer than ${MAX_MAP_ITEMS} fails the map, naming its length`, () => {
    expect(listAt('list', Array.from({ length: MAX_MAP_ITEMS + 1 }), [])).toEqual({
      error: `map over list: a list of ${MAX_MAP_ITEMS + 1} elements, more than the ${MAX_MAP_ITEMS} a map may have`,
    });
    expect(listAt('list.a.0', { a: [[1, 2]] }, ['a', '0'])).toEqual({ length: 2 });
    expect(listAt('list.x', null, ['x'])).toEqual({ error: 'map over list.x: nothing is there, not a list' });
  });

  it('reached by its other parent, it reads the list as stored (the source reported earlier)', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const state = stateOf(dag, { list: S.SUCCESS, config: S.RUNNING, backup: S.WAIT, report: S.WAIT }, { mapLists: new Map([['backup', { length: 2 }]]) });
    const { commands } = decideAll(state, [succeeded('config')]);
    expect(ofType(commands, 'ADD_ELEMENTS')).toEqual([{ type: 'ADD_ELEMENTS', node: 'backup', count: 2, started: 2, startedAs: S.READY }]);
  });

  it('in a suspended run, its elements wait in SUSPEND and none is enqueued', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const state = stateOf(dag, { list: S.RUNNING, config: S.SUCCESS, backup: S.WAIT, report: S.WAIT }, { run: S.SUSPEND });
    const { commands } = decideAll(state, [succeeded('list', { clusters: [1, 2] })]);
    expect(ofType(commands, 'ADD_ELEMENTS')).toEqual([{ type: 'ADD_ELEMENTS', node: 'backup', count: 2, started: 2, startedAs: S.SUSPEND }]);
    expect(enqueued(commands)).toEqual([]);
  });
});

describe('map fan-out: elements ending', () => {
  it('the last element to succeed joins the outputs, succeeds the map and releases the nodes after it', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const { commands, state } = decideAll(reached(dag, 3), [succeeded('backup[0]', 0), succeeded('backup[2]', 2), succeeded('backup[1]', 1)]);
    expect(writes(commands).slice(-3)).toEqual(['backup[1]:RUNNING>SUCCESS', 'backup:RUNNING>SUCCESS', 'report:WAIT>READY']);
    expect(ofType(commands, 'JOIN_ELEMENTS')).toEqual([{ type: 'JOIN_ELEMENTS', node: 'backup' }]);
    expect(statusOf(state, 'backup')).toBe('SUCCESS');
  });

  it('a failing element with retries is retried alone; the map and its siblings go on', () => {
    const dag = dagOf({ over: 'list.clusters' }, 2);
    const { commands, state } = decideAll(reached(dag, 3), [failed('backup[1]')]);
    expect(writes(commands)).toEqual(['backup[1]:RUNNING>READY']);
    expect(ofType(commands, 'SET_NODE')[0]).toMatchObject({ nextAttempt: 2 });
    expect(enqueued(commands)).toEqual(['backup[1]#2']);
    expect(statusOf(state, 'backup')).toBe('RUNNING');
  });

  it('an element failing for good cancels what waits; the map fails once the running ones end, and so does the run', () => {
    const dag = dagOf({ over: 'list.clusters', maxConcurrency: 2 });
    const first = decideAll(reached(dag, 4), [failed('backup[0]')]);
    expect(writes(first.commands)).toEqual(['backup[0]:RUNNING>FAIL', 'report:WAIT>CANCEL', 'backup[2]:WAIT>CANCEL', 'backup[3]:WAIT>CANCEL']);
    expect(statusOf(first.state, 'backup')).toBe('RUNNING');
    const last = decideAll(first.state, [succeeded('backup[1]', 'ok')]);
    expect(writes(last.commands)).toEqual(['backup[1]:RUNNING>SUCCESS', 'backup:RUNNING>FAIL']);
    expect(ofType(last.commands, 'SET_NODE').find((c) => c.node === 'backup')!.outcome?.error).toBe('element backup[0] ended FAIL');
    expect(ofType(last.commands, 'SET_RUN').at(-1)).toMatchObject({ to: S.FAIL });
  });

  it("a cancel aborts the running elements, not the map's own row, which ends CANCEL after them", () => {
    const dag = dagOf({ over: 'list.clusters', maxConcurrency: 1 });
    const running = stateOf(dag, { list: S.SUCCESS, config: S.SUCCESS, backup: S.RUNNING, report: S.WAIT, 'backup[0]': S.RUNNING, 'backup[1]': S.WAIT });
    const cancel = decideAll(running, [{ type: 'CANCEL' }]);
    expect(ofType(cancel.commands, 'ABORT').map((c) => c.node)).toEqual(['backup[0]']);
    expect(writes(cancel.commands)).toEqual(['report:WAIT>CANCEL', 'backup[1]:WAIT>CANCEL']);
    const ended = decideAll(cancel.state, [{ type: 'NODE_CANCELED', node: 'backup[0]', attempt: 1, leaseOwner: 'w', outcome: {} }]);
    expect(writes(ended.commands)).toEqual(['backup[0]:RUNNING>CANCEL', 'backup:RUNNING>CANCEL']);
    expect(ofType(ended.commands, 'SET_RUN').at(-1)).toMatchObject({ to: S.CANCEL });
  });
});

describe('map fan-out: rerun from failed', () => {
  it('reruns only the elements that did not succeed, under their next attempt, keeping the rest', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const failedRun = stateOf(
      dag,
      { list: S.SUCCESS, config: S.SUCCESS, backup: S.FAIL, report: S.CANCEL, 'backup[0]': S.SUCCESS, 'backup[1]': S.FAIL, 'backup[2]': S.CANCEL },
      { run: S.FAIL, mapLists: new Map([['backup', { length: 3 }]]) },
    );
    const { commands, state } = decideAll(failedRun, [{ type: 'RERUN' }]);
    expect(writes(commands)).toEqual(['backup:FAIL>RUNNING', 'backup[1]:FAIL>READY', 'backup[2]:CANCEL>READY', 'report:CANCEL>WAIT']);
    expect(enqueued(commands)).toEqual(['backup[1]#2', 'backup[2]#2']);
    expect(ofType(commands, 'ADD_ELEMENTS')).toEqual([]);
    const done = decideAll(claimed(state), [succeeded('backup[1]', 1, 2), succeeded('backup[2]', 2, 2)]);
    expect(ofType(done.commands, 'JOIN_ELEMENTS')).toHaveLength(1);
    expect(writes(done.commands).slice(-2)).toEqual(['backup:RUNNING>SUCCESS', 'report:WAIT>READY']);
  });

  it('a map that failed before it had elements is reached again, over its stored list', () => {
    const dag = dagOf({ over: 'list.clusters' });
    const failedRun = stateOf(dag, { list: S.SUCCESS, config: S.FAIL, backup: S.CANCEL, report: S.CANCEL }, { run: S.FAIL, mapLists: new Map([['backup', { length: 2 }]]) });
    const { commands } = decideAll(failedRun, [{ type: 'RERUN' }]);
    expect(writes(commands)).toEqual(['config:FAIL>READY', 'backup:CANCEL>WAIT', 'report:CANCEL>WAIT']);
    expect(ofType(commands, 'ADD_ELEMENTS')).toEqual([]);
  });
});

describe('map fan-out: definitions and names', () => {
  it('refuses a map over a node it does not depend on, and a map over a map', () => {
    const spec = (nodes: unknown[]) => WorkflowSpecSchema.parse({ name: 'w', nodes });
    expect(() => compileDag(spec([{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', map: { over: 'a.list' } }]))).toThrow(DagInvalid);
    expect(() =>
      compileDag(
        spec([
          { name: 'a', type: 'noop' },
          { name: 'b', type: 'noop', dependsOn: ['a'], map: { over: 'a' } },
          { name: 'c', type: 'noop', dependsOn: ['b'], map: { over: 'b' } },
        ]),
      ),
    ).toThrow(/itself a map/);
    expect(() => spec([{ name: 'a', type: 'noop' }, { name: 'b', type: 'noop', dependsOn: ['a'], map: { over: 'a..x' } }])).toThrow(/over is/);
  });

  it("an element runs as its map: its spec, its map's parents but the list's source, a position past every declared node", () => {
    const dag = dagOf({ over: 'list.clusters' });
    expect(parseElement('backup[12]')).toEqual({ map: 'backup', index: 12 });
    expect(parseElement('backup')).toBeUndefined();
    expect(specOf(dag, elementName('backup', 3))).toBe(dag.nodes.get('backup'));
    expect(parentsOf(dag, 'backup[3]')).toEqual(['config']);
    expect(parentsOf(dag, 'backup')).toEqual(['list', 'config']);
    expect(elementPosition(2, 7)).toBe(300_007);
  });
});
