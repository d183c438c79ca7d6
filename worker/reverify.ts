import type { Backend, Genome } from '../genome/genome.ts';
import { genomeHash, isSourceGenome } from '../genome/genome.ts';
import { familyOf } from '../genome/families/registry.ts';
import type { Problem } from '../genome/ops/problem.ts';
import { Budgets, PROTOCOL_VERSION } from '../protocol/job.ts';
import type { KernelResult, KernelSource, Status } from '../protocol/result.ts';
import type { KernelJob } from '../protocol/job.ts';
import { Evaluator } from './evaluator.ts';

/** A kernel as the store keeps it: the text that is reported and exported, and what it was evaluated for. */
export interface StoredKernel {
  readonly problem: Problem;
  readonly genome: Genome;
  readonly kernel: KernelSource;
}

/** A failure's reason reads `<status> at <stage>: <why>`, for a line on stderr; status and stage are apart for the store. */
export type Reverification =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: Exclude<Status, 'ok'>; readonly stage: string; readonly reason: string };


/**
 * Runs stored kernels' text through the verifier harness again on this
 * machine, in a worker pool (a hostile kernel is killed at its deadline, not
 * the caller), before a best is reported or exported: a stored result may
 * come from a worker that lied. One pool per backend, started on first use.
 */
export class Reverifier {
  readonly #evaluators = new Map<Backend, Promise<Evaluator>>();

  async check(stored: StoredKernel): Promise<Reverification> {
    const job = reverifyJob(stored, 'reverify');
    const evaluator = await this.evaluator(job.genome.backend);
    return verdictOf(await evaluator.evaluate(job));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#evaluators.values()].map((evaluator) => evaluator.then((e) => e.close(), () => undefined)));
  }

  private evaluator(backend: Backend): Promise<Evaluator> {
    let evaluator = this.#evaluators.get(backend);
    if (!evaluator) {
      evaluator = Evaluator.create({ threads: 1, backends: [backend], relaxedSimd: true, name: 'reverify' });
      this.#evaluators.set(backend, evaluator);
    }
    return evaluator;
  }
}

/**
 * The harness on a stored kernel's own text, no timing. A generated genome
 * whose codegen gives exactly that text is the job itself: same kernel, and
 * its family's launch (a workspace sized for its packing, which the plain ABI
 * launch of a source may lack) and error model. Any other text runs as a
 * source genome (with its family's tile for WebGPU) under the plain ABI launch.
 * Here, or on a worker (`kevo reverify --nats`).
 */
export function reverifyJob(stored: StoredKernel, campaignId: string): KernelJob {
  const backend: Backend = stored.kernel.language === 'wat' ? 'wasm' : 'webgpu';
  const { text, launch } = familyOf(stored.problem, stored.genome).code(stored.genome, stored.problem);
  const tile = launch.backend === 'webgpu' ? launch.tile : undefined;
  const genome: Genome = text === stored.kernel.text && !isSourceGenome(stored.genome)
    ? stored.genome
    : { op: stored.problem.op, backend, family: 'source', language: stored.kernel.language, text: stored.kernel.text, ...(tile ? { tile } : {}) };
  return {
    v: PROTOCOL_VERSION,
    kind: 'kernel',
    jobId: `reverify-${genomeHash(genome)}`,
    campaignId,
    problem: stored.problem,
    genome,
    seed: 1,
    budgets: Budgets.parse({}),
    // The harness is the point: a stored kernel's timing stands, so none is taken.
    verifyOnly: true,
  };
}

/** A reverify job's result as a verdict. */
export function verdictOf(result: KernelResult): Reverification {
  if (result.status === 'ok') return { ok: true };
  const stage = result.stage ?? '?';
  return { ok: false, status: result.status, stage, reason: `${result.status} at ${stage}: ${result.reason ?? ''}` };
}
