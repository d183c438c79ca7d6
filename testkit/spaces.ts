import { familyFor } from '../genome/families/registry.ts';
import type { Genome } from '../genome/genome.ts';
import type { Problem } from '../genome/ops/index.ts';
import type { SearchSpace } from '../genome/space.ts';
import type { TargetFacts } from '../genome/target.ts';

/** A problem's search space on a backend as a campaign gets it: through its kernel family, for a device with these facts. */
export function spaceOf(problem: Problem, facts: TargetFacts = { backend: 'wasm', relaxedSimd: false }): SearchSpace<Genome> {
  return familyFor(problem.op, facts.backend, problem.dtype).space(problem, { id: 'testkit', label: 'testkit', facts });
}
