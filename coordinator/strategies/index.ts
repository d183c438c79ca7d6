import type { SearchSpace } from '../../genome/space.ts';
import { KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import type { StrategyOptions } from './checkpoint.ts';
import { GeneticSearch } from './genetic.ts';
import { MapElitesSearch } from './map-elites.ts';
import { RandomSearch } from './random.ts';
import type { Strategy } from './strategy.ts';

const strategies = {
  random: <G>(space: SearchSpace<G>, options: StrategyOptions) => new RandomSearch(space, options),
  genetic: <G>(space: SearchSpace<G>, options: StrategyOptions) => new GeneticSearch(space, options),
  'map-elites': <G>(space: SearchSpace<G>, options: StrategyOptions) => new MapElitesSearch(space, options),
} as const;

export type StrategyName = keyof typeof strategies;
export const strategyNames = Object.keys(strategies) as StrategyName[];

/** A strategy by name, fresh from a seed or resumed from its checkpoint (`options.state`). */
export function createStrategy<G>(name: string, space: SearchSpace<G>, options: StrategyOptions): Strategy<G> {
  if (!Object.hasOwn(strategies, name)) {
    throw new KevoError('BAD_INPUT', `unknown strategy ${quote(name)}: expected one of ${strategyNames.join(', ')}`);
  }
  return strategies[name as StrategyName](space, options);
}

export { GeneticSearch, MapElitesSearch, RandomSearch, type StrategyOptions };
export type { ArchiveStrategy, Proposal, Scored, Strategy, StrategyState } from './strategy.ts';
