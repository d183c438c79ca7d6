import type { Genome } from '../genome/genome.ts';
import { problemKey, type Problem } from '../genome/ops/index.ts';
import type { SearchSpace } from '../genome/space.ts';
import { spaceFor } from '../genome/spaces.ts';
import { KevoError } from '../lib/errors.ts';
import { bestOf, tableOf, tableSpace, type FitnessTable } from './replay.ts';
import { parseSpec, resolveProblem, specProblems } from './spec.ts';
import type { Store } from './store/store.ts';

/** What the replay needs from the store, read in one go so the database is closed before any search runs. */
export interface Stored {
  readonly problem: Problem;
  readonly deviceId: string;
  readonly space: SearchSpace<Genome>;
  readonly table: FitnessTable;
  readonly population: number;
}

/**
 * A campaign's table for replay, as `kevo replay` and bench:search both read
 * it: one problem's evaluations on one device class, and the campaign's space
 * over them. Errors name the `kevo replay` flag that chooses otherwise.
 */
export function storedTable(store: Store, flags: { db: string; campaign: string; shape?: string; device?: string }): Stored {
  const campaign = store.campaign(flags.campaign);
  if (!campaign) throw new KevoError('NOT_FOUND', `--campaign: no campaign "${flags.campaign}" in ${flags.db}`);
  const spec = parseSpec(campaign.spec, `campaign "${campaign.id}" spec`);
  const problems = specProblems(spec);
  const shapes = spec.problems.map((p) => p.shape).join(', ');
  if (flags.shape === undefined && problems.length > 1) {
    throw new KevoError('BAD_INPUT', `--shape: campaign "${campaign.id}" has ${problems.length} problems (${shapes}): name one`);
  }
  const wanted = flags.shape;
  const problem = wanted === undefined ? problems[0] : problems.find((p) => problemKey(p) === problemKey(shapeOf(p, wanted)));
  if (!problem) throw new KevoError('BAD_INPUT', `--shape: campaign "${campaign.id}" has no problem of shape ${flags.shape} (it has ${shapes})`);
  const rows = store.evaluations(campaign.id).filter((r) => r.problemKey === problemKey(problem) && r.deviceClassId !== undefined);
  const deviceIds = [...new Set(rows.map((r) => r.deviceClassId!))];
  const deviceId = flags.device === undefined ? deviceIds[0] : store.resolveDevice(flags.device).id;
  if (flags.device === undefined && deviceIds.length > 1) {
    throw new KevoError('BAD_INPUT', `--device: campaign "${campaign.id}" was timed on ${deviceIds.length} device classes: name one`);
  }
  const table = tableOf(rows.filter((r) => r.deviceClassId === deviceId));
  if (deviceId === undefined || bestOf(table) === 0) {
    throw new KevoError('NOT_FOUND', `campaign "${campaign.id}" has no verified, timed evaluations${flags.device ? ' on that device class' : ''} to replay`);
  }
  const device = store.resolveDevice(deviceId);
  return { problem, deviceId, space: tableSpace(spaceFor(problem, spec.backend, device), table), table, population: spec.population };
}

/** The campaign's problem with the shape the flag gives, or the flag named if the shape does not parse. */
function shapeOf(problem: Problem, shape: string): Problem {
  try {
    return resolveProblem({ op: problem.op, shape });
  } catch (error) {
    throw new KevoError('BAD_INPUT', `--shape: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
