import { describe, expect, it } from 'vitest';
import { ALL_STATUSES, Status, canTransition, isTerminal, shortestPath, statusName } from '../src/core/status.ts';

// The table of design.md, written out independently of the implementation.
const S = Status;
const EXPECTED: Record<number, number[]> = {
  [S.INIT]: [S.WAIT, S.READY, S.CANCEL, S.SKIP],
  [S.WAIT]: [S.READY, S.SUSPEND, S.CANCEL, S.SKIP, S.TIMEOUT],
  [S.READY]: [S.RUNNING, S.SUSPEND, S.CANCEL],
  [S.RUNNING]: [S.SUCCESS, S.FAIL, S.INTERNAL_ERROR, S.TIMEOUT, S.CANCEL, S.SUSPEND],
  [S.SUSPEND]: [S.READY, S.CANCEL],
  [S.RERUN]: [S.WAIT, S.READY],
  [S.FAIL]: [S.RERUN],
  [S.SUCCESS]: [S.RERUN],
  [S.INTERNAL_ERROR]: [S.RERUN],
  [S.TIMEOUT]: [S.RERUN],
  [S.CANCEL]: [S.RERUN],
  [S.SKIP]: [S.RERUN],
};

describe('status codes', () => {
  it('are the EnOS codes -1…10', () => {
    expect([...ALL_STATUSES].sort((a, b) => a - b)).toEqual([-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(statusName(-1 as Status)).toBe('FAIL');
    expect(statusName(10 as Status)).toBe('SKIP');
  });

  it('marks FAIL, SUCCESS, INTERNAL_ERROR, TIMEOUT, CANCEL and SKIP terminal, nothing else', () => {
    expect(ALL_STATUSES.filter(isTerminal).sort((a, b) => a - b)).toEqual([-1, 1, 4, 7, 8, 10]);
  });
});

describe('transitions', () => {
  for (const from of ALL_STATUSES) {
    for (const to of ALL_STATUSES) {
      const allowed = EXPECTED[from]!.includes(to);
      it(`${statusName(from)} → ${statusName(to)} is ${allowed ? 'allowed' : 'forbidden'}`, () => {
        expect(canTransition(from, to)).toBe(allowed);
      });
    }
  }

  it('finds the shortest legal walk between two statuses', () => {
    expect(shortestPath(S.SUSPEND, S.FAIL)).toEqual([S.SUSPEND, S.READY, S.RUNNING, S.FAIL]);
    expect(shortestPath(S.FAIL, S.READY)).toEqual([S.FAIL, S.RERUN, S.READY]);
  });
});
