import { createHash, randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { createCampaign, newCampaignId, runCampaign } from '../coordinator/campaign.ts';
import { parseSpec } from '../coordinator/spec.ts';
import type { BestRow } from '../coordinator/store/rows.ts';
import type { Store } from '../coordinator/store/store.ts';
import { recordTuneRun } from '../coordinator/store/tune.ts';
import { familyFor, familyOf } from '../genome/families/registry.ts';
import type { KernelCode } from '../genome/families/launch.ts';
import { opFor, problemKey } from '../genome/ops/index.ts';
import { KevoError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { compileModel, inferShapes } from '../onnx/executor.ts';
import { mapModel, type NodeMapping } from '../onnx/map.ts';
import { ortModel, ortProfile } from '../onnx/ort.ts';
import { readModel, type OnnxModel } from '../onnx/read.ts';
import { compareOutputs, modelInputs, timeEndToEnd, type EndToEnd, type OutputCheck } from '../tune/measure.ts';
import { amdahl, profiled, targets, type Target } from '../tune/rank.ts';
import { HARNESS_VERSION } from '../verifiers/version.ts';
import { enableRelaxedSimd } from '../worker/wasm/features.ts';
import { reverifiedRanking, refusedLines, storedKernels } from './reverified.ts';
import { openTransport, type TransportFlags } from './transport.ts';

export interface TuneSettings {
  readonly budget: number;
  readonly population: number;
  readonly seed: number;
  readonly threads?: number | undefined;
  readonly relaxedSimd: boolean;
  readonly rounds: number;
  readonly profileRuns: number;
  readonly db: string;
  readonly timingMs?: number | undefined;
}

/** One row of the report: a node or a fused group, its share of the peer's time, and what kevo made of it. */
export interface NodeReport {
  readonly nodes: readonly string[];
  readonly ops: string;
  readonly problem?: string;
  readonly lowering?: string;
  /** Why kevo does not tune it (an op not registered, a layout it refuses): a warning. */
  readonly notTuned?: string;
  readonly ortMs: number;
  readonly share: number;
  readonly campaignId?: string;
  readonly kernelId?: string;
  /** kevo's baseline kernel and its best one on the node's problem, as timed in the campaign. */
  readonly beforeMs?: number;
  readonly afterMs?: number;
  readonly speedup?: number;
}

export interface TuneReport {
  readonly id: string;
  readonly model: string;
  readonly modelSha256: string;
  readonly createdAt: string;
  readonly transport: 'embedded' | 'nats';
  readonly budget: number;
  readonly profile: string;
  readonly nodes: readonly NodeReport[];
  /** Amdahl: the peer's model time with each tuned node at the peer's time x before/after. */
  readonly projected: number;
  readonly measured: (EndToEnd & {
    /** onnxruntime-web's own time for the run (profiler, optimized graph), without its JavaScript glue, and kevo's speedup over that. */
    readonly ortRunMs: number;
    readonly speedupVsOrtRun: number;
    readonly outputs: readonly OutputCheck[]; readonly outputsMatch: boolean }) | { readonly error: string };
}

/** The model read and mapped before anything is opened or written: a bad model is BAD_INPUT here. */
export function loadModel(bytes: Uint8Array, dims: Readonly<Record<string, number>>, seed: number) {
  const model = readModel(bytes, dims);
  const inputs = modelInputs(model, seed);
  const mappings = mapModel(model, inferShapes(model, inputs));
  return { model, inputs, mappings };
}

interface Tuned {
  readonly target: Target;
  readonly campaignId: string;
  readonly best: BestRow | undefined;
}

async function runTarget(target: Target, settings: TuneSettings, store: Store, flags: TransportFlags, log: Logger): Promise<Tuned> {
  const op = opFor(target.problem);
  // The spec writes a problem as a person would: the shape as the op's text, every other field as is.
  const { op: name, shape, ...fields } = target.problem as unknown as Record<string, unknown> & { shape: Record<string, number> };
  const spec = parseSpec({
    name: `tune ${target.key}`,
    problems: [{ op: name, shape: op.formatShape(shape), ...fields }],
    backend: 'wasm',
    population: settings.population,
    budget: { evaluations: target.evaluations },
    seed: settings.seed,
    threads: settings.threads,
    db: settings.db,
    relaxedSimd: settings.relaxedSimd,
    timing: settings.timingMs === undefined ? {} : { timingMs: settings.timingMs },
  }, `campaign spec for ${target.key}`);
  const campaignId = newCampaignId();
  const transport = await openTransport(flags, { backend: 'wasm', threads: settings.threads, relaxedSimd: settings.relaxedSimd, campaignId }, log);
  try {
    createCampaign(store, spec, campaignId);
    const run = await runCampaign(campaignId, { store, transport, log });
    const top = store.best(target.problem, { deviceClassId: run.deviceClass.id, backend: 'wasm', limit: 5, harnessVersion: HARNESS_VERSION });
    if (!transport.durable) return { target, campaignId, best: top[0] };
    // Over NATS results came from other machines: the best is run through the harness here first.
    const { rows, refused } = await reverifiedRanking(top, storedKernels(store, top));
    process.stderr.write(refusedLines(refused));
    return { target, campaignId, best: rows[0] };
  } finally {
    await transport.close();
  }
}

/** The kernel a mapped group runs: its best one when tuned, else its family's baseline. */
function codeFor(store: Store, mapping: NodeMapping, best: BestRow | undefined): KernelCode {
  const problem = mapping.plan!.problem;
  if (!best) return familyFor(problem.op, 'wasm', problem.dtype).baseline(problem);
  const kernel = store.kernel(best.kernelId);
  if (!kernel) throw new KevoError('FAILURE', `kernel ${best.kernelId} is ranked but not stored`);
  return { language: kernel.language, text: kernel.text, launch: kernel.launch ?? familyOf(problem, best.genome).code(best.genome, problem).launch } as KernelCode;
}

async function measure(model: OnnxModel, bytes: Uint8Array, inputs: ReturnType<typeof loadModel>['inputs'], groups: { mapping: NodeMapping; code: KernelCode }[], rounds: number): Promise<TuneReport['measured']> {
  let compiled;
  try {
    compiled = await compileModel(model, groups);
  } catch (error) {
    if (error instanceof KevoError) return { error: error.message };
    throw error;
  }
  const ort = await ortModel(bytes);
  try {
    const outputs = compareOutputs(model.outputs.map((o) => o.name), compiled.run(inputs), await ort.run(inputs));
    const timing = await timeEndToEnd(ort, compiled, inputs, rounds);
    const { runMs } = await ortProfile(bytes, inputs, rounds, true);
    return { ...timing, ortRunMs: runMs, speedupVsOrtRun: runMs / timing.kevoMs, outputs, outputsMatch: outputs.every((o) => o.ok) };
  } finally {
    await ort.release();
  }
}

/**
 * `kevo tune`: profile the model on onnxruntime-web, rank its problems by
 * Amdahl impact, run a campaign on each top one within the budget, then run
 * the whole model with kevo's best kernels against onnxruntime-web and store
 * the report.
 */
export async function tuneModel(args: { path: string; bytes: Uint8Array; loaded: ReturnType<typeof loadModel>; settings: TuneSettings; store: Store; flags: TransportFlags; nats: boolean; log: Logger }): Promise<TuneReport> {
  const { model, inputs, mappings } = args.loaded;
  const parts = profiled(mappings, (await ortProfile(args.bytes, inputs, args.settings.profileRuns)).nodeMs);
  const tuned = new Map<string, Tuned>();
  for (const target of targets(parts, args.settings.budget, args.settings.population)) {
    args.log.info({ problem: target.key, evaluations: target.evaluations, share: target.share }, 'tuning');
    tuned.set(target.key, await runTarget(target, args.settings, args.store, args.flags, args.log));
  }
  const nodes: NodeReport[] = parts.map(({ mapping, ms, share }) => {
    const base = { nodes: mapping.nodes, ops: mapping.ops, ortMs: ms, share, ...(mapping.lowering ? { lowering: mapping.lowering } : {}) };
    if (!mapping.plan) return { ...base, notTuned: mapping.reason ?? 'not mapped' };
    const key = problemKey(mapping.plan.problem);
    const t = tuned.get(key);
    if (!t) return { ...base, problem: key, notTuned: 'not searched: the budget went to nodes with a larger share' };
    if (!t.best) return { ...base, problem: key, campaignId: t.campaignId, notTuned: 'no verified kernel found' };
    return { ...base, problem: key, campaignId: t.campaignId, kernelId: t.best.kernelId, beforeMs: t.best.baselineMedianMs, afterMs: t.best.medianMs, speedup: t.best.speedup };
  });
  const projected = amdahl(nodes.filter((n) => n.afterMs !== undefined).map((n) => ({ share: n.share, speedup: n.ortMs / n.afterMs! })));
  // The kernels were timed with relaxed SIMD where the workers had it: the executor runs them the same way.
  if (args.settings.relaxedSimd) enableRelaxedSimd();
  const groups = mappings.filter((m) => m.plan).map((mapping) => ({ mapping, code: codeFor(args.store, mapping, tuned.get(problemKey(mapping.plan!.problem))?.best) }));
  const measured = await measure(model, args.bytes, inputs, groups, args.settings.rounds);
  const report: TuneReport = {
    id: `t-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
    model: basename(args.path),
    modelSha256: createHash('sha256').update(args.bytes).digest('hex'),
    createdAt: new Date().toISOString(),
    transport: args.nats ? 'nats' : 'embedded',
    budget: args.settings.budget,
    profile: 'onnxruntime-web profiler (graph optimizations off, 1 thread), median per node',
    nodes,
    projected,
    measured,
  };
  recordTuneRun(args.store, { id: report.id, model: report.model, modelSha256: report.modelSha256, createdAt: report.createdAt, report: report as unknown as Record<string, unknown> });
  return report;
}
