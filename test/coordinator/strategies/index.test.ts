import { describe, expect, it } from 'vitest';
import { createStrategy, strategyNames } from '../../../coordinator/strategies/index.ts';
import { KevoError } from '../../../lib/errors.ts';
import { gridSpace } from './grid.ts';

describe('createStrategy', () => {
  it('builds each named strategy', () => {
    expect(strategyNames).toEqual(['random', 'genetic', 'map-elites']);
    for (const name of strategyNames) expect(createStrategy(name, gridSpace, { seed: 1, population: 8 }).name).toBe(name);
  });

  it('rejects an unknown name with BAD_INPUT listing the known ones', () => {
    const error = (() => {
      try {
        createStrategy('annealing', gridSpace, { seed: 1, population: 8 });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KevoError);
    expect((error as KevoError).code).toBe('BAD_INPUT');
    expect((error as KevoError).message).toBe('unknown strategy "annealing": expected one of random, genetic, map-elites');
    expect(() => createStrategy('toString', gridSpace, { seed: 1, population: 8 })).toThrow(/unknown strategy "toString"/);
  });

  it('refuses to resume one strategy from another strategy\'s checkpoint', () => {
    const state = createStrategy('genetic', gridSpace, { seed: 1, population: 8 }).state();
    expect(() => createStrategy('map-elites', gridSpace, { seed: 1, population: 8, state })).toThrow(/invalid map-elites strategy state: strategy/);
    expect(() => createStrategy('random', gridSpace, { seed: 1.5, population: 8 })).toThrow(/seed: expected an integer/);
  });
});
