import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCampaign, runCampaign } from '../../coordinator/campaign.ts';
import { parseSpec, specProblems, type CampaignSpecInput } from '../../coordinator/spec.ts';
import type { BestRow } from '../../coordinator/store/rows.ts';
import { Store } from '../../coordinator/store/store.ts';
import { EmbeddedTransport } from '../../coordinator/transport/embedded.ts';
import { exportKernel } from '../../export/index.ts';
import { opFor, problemKey, type Problem } from '../../genome/ops/index.ts';
import { createLogger } from '../../lib/log.ts';
import { Evaluator } from '../../worker/evaluator.ts';
import type { Contender } from './timing.ts';

/** The exported module's kernel as a user's script sees it. */
type Sliceable = ArrayLike<number> & { slice(): ArrayLike<number> };

interface ExportedKernel {
  readonly inputs: readonly ArrayLike<number>[];
  /** One output: its view; several (i16 requantized): `outputs`, in ABI order, and run() takes and gives an array of them. */
  readonly output?: Sliceable;
  readonly outputs?: readonly Sliceable[];
  run(...args: unknown[]): ArrayLike<number>;
  /** Kernels that pack weights at load time: the weights (the module's tensors.weights) in, packed once. */
  setWeights?(...weights: unknown[]): void;
}

interface ExportedModule {
  load(): Promise<ExportedKernel>;
  readonly tensors: { readonly inputs: readonly { name: string }[]; readonly weights?: readonly string[] };
}

export interface CampaignBest {
  readonly problem: Problem;
  readonly best: BestRow;
  /** The exported module's run(...inputs, out) (after setWeights() for a kernel that packs at load time): the user's call. */
  run(inputs: readonly ArrayLike<number>[], out: ArrayLike<number>): ArrayLike<number>;
  /** A fresh array the size of the output. */
  newOutput(): ArrayLike<number>;
  /**
   * The best kernel, exported and imported from its index.js, as a contender
   * calling run(...inputs, out); a kernel that packs at load time gets its
   * weights once through setWeights(), whose milliseconds are `prepareMs`.
   */
  contender(name: string, inputs: readonly ArrayLike<number>[]): Contender & { output(): ArrayLike<number>; readonly prepareMs?: number };
}

/**
 * Runs one embedded campaign over `problems` (the spec's problem entries) in a
 * temporary store, as `kevo run` would, and hands back each problem's best
 * verified kernel through its exported module: what a user gets after a
 * campaign and an export; with `families`, each problem's best of each of
 * those kernel families (algorithms), in that order. The caller disposes with `close()`.
 */
export async function campaignBest(
  spec: Omit<CampaignSpecInput, 'db'>,
  log = (line: string) => process.stderr.write(`${line}\n`),
  families: readonly (string | undefined)[] = [undefined],
): Promise<{ bests: CampaignBest[]; close(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'kevo-bench-campaign-'));
  // The bench times the best kernels itself, interleaved with their peers: no promotion gate.
  const parsed = parseSpec({ promote: 0, ...spec, db: join(dir, 'kevo.db') }, 'bench spec');
  const store = Store.open(parsed.db);
  const threads = parsed.threads ?? availableParallelism();
  const evaluator = await Evaluator.create({ threads, backends: [parsed.backend], relaxedSimd: parsed.relaxedSimd, name: 'bench' });
  const transport = new EmbeddedTransport(evaluator, threads, true);
  try {
    const id = createCampaign(store, parsed);
    const started = performance.now();
    const run = await runCampaign(id, { store, transport, log: createLogger('warn') });
    log(`campaign ${id}: ${run.evaluations} evaluated, ${run.failures} failed in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    // Which, and why: a failure is a finding (a rejected kernel, a deadline), and the bench's store is gone once it closes.
    for (const e of store.evaluations(id).filter((e) => e.status !== 'ok')) log(`  ${e.problemKey}: ${e.status}${e.stage ? ` at ${e.stage}` : ''}: ${(e.reason ?? '').slice(0, 200)}`);
    const bests: CampaignBest[] = [];
    for (const [problem, family] of specProblems(parsed).flatMap((p) => families.map((f) => [p, f] as const))) {
      const best = store.best(problem, { backend: parsed.backend, limit: family ? 1000 : 1 }).find((row) => !family || row.genome.family === family);
      if (!best) throw new Error(`the campaign found no verified ${family ?? ''} kernel for ${problemKey(problem)}`);
      const out = join(dir, best.kernelId);
      await exportKernel(store, best.kernelId, out);
      const module = (await import(pathToFileURL(join(out, 'index.js')).href)) as ExportedModule;
      const kernel = await module.load();
      const weights = (module.tensors.weights ?? []).map((name) => module.tensors.inputs.findIndex((t) => t.name === name));
      /** Hands a load-time-packing kernel its weights; the milliseconds it took. */
      const setWeights = (inputs: readonly ArrayLike<number>[]) => {
        const start = performance.now();
        kernel.setWeights?.(...weights.map((i) => inputs[i]));
        return performance.now() - start;
      };
      const activations = (inputs: readonly ArrayLike<number>[]) => inputs.filter((_, i) => !weights.includes(i));
      // run()'s `out`: a copy of the output, or of each output for a kernel with several.
      const fresh = () => (kernel.outputs ? kernel.outputs.map((o) => o.slice()) : kernel.output!.slice()) as ArrayLike<number>;
      bests.push({
        problem,
        best,
        run: (inputs, out) => (setWeights(inputs), kernel.run(...activations(inputs), out)),
        newOutput: fresh,
        contender(name, inputs) {
          const output = fresh();
          const prepareMs = weights.length > 0 ? setWeights(inputs) : undefined;
          const args = activations(inputs);
          const call = () => kernel.run(...args, output);
          return {
            name,
            prepareMs,
            flops: opFor(problem).flops(problem),
            async time(times) {
              const start = performance.now();
              for (let i = 0; i < times; i++) call();
              return (performance.now() - start) / times;
            },
            output: () => call(),
          };
        },
      });
    }
    return {
      bests,
      close: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await transport.close();
    store.close();
  }
}
