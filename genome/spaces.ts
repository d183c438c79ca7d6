import { KevoError } from '../lib/errors.ts';
import type { Backend, Genome } from './genome.ts';
import { familyFor } from './families/registry.ts';
import type { Problem } from './ops/problem.ts';
import type { SearchSpace } from './space.ts';
import type { Target } from './target.ts';

/** The search space of a problem on a backend (its kernel family's), shaped by what the target device can do. */
export function spaceFor(problem: Problem, backend: Backend, device: Target): SearchSpace<Genome> {
  if (device.facts.backend !== backend) {
    throw new KevoError('BAD_INPUT', `device class ${device.id} (${device.label}) cannot run backend ${backend}`);
  }
  return familyFor(problem.op, backend).space(problem, device);
}
