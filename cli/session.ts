import type { Backend } from '../genome/genome.ts';
import { createCampaign, newCampaignId, runCampaign, type CampaignRun } from '../coordinator/campaign.ts';
import type { CampaignSpec } from '../coordinator/spec.ts';
import { specProblems } from '../coordinator/spec.ts';
import { chooseDevice } from '../coordinator/device-choice.ts';
import { damaged } from '../coordinator/store/open.ts';
import { Store } from '../coordinator/store/store.ts';
import { createLogger, type Logger } from '../lib/log.ts';
import { redactUrls } from '../lib/quote.ts';
import { llmCampaignSummary } from '../coordinator/store/llm.ts';
import type { LlmOptions } from '../llm/options.ts';
import { fixed, printJson, table } from './output.ts';
import { progressBar } from './progress.ts';
import { reverifiedRanking, refusedLines, storedKernels } from './reverified.ts';
import type { BestRow } from '../coordinator/store/rows.ts';
import { opFor, type Problem } from '../genome/ops/index.ts';
import { openTransport, type TransportFlags } from './transport.ts';
import { HARNESS_VERSION } from '../verifiers/version.ts';
import { promotedRanking } from '../coordinator/store/promotions.ts';
import type { Promoted } from '../coordinator/promotion.ts';

export interface SessionFlags {
  readonly json?: boolean;
  readonly logLevel: Parameters<typeof createLogger>[0];
}

/**
 * What run, campaign start and campaign resume share: open the transport
 * first (a missing backend fails before anything is written), then the store,
 * run with a progress line and Ctrl-C handling, then report.
 */
export async function runSession(args: {
  spec: CampaignSpec;
  resumeId?: string;
  flags: SessionFlags;
  transport: TransportFlags;
  store?: Store;
}): Promise<number> {
  const log = createLogger(args.flags.logLevel);
  const campaignId = args.resumeId ?? newCampaignId();
  const transport = await openTransport(
    args.transport,
    { backend: args.spec.backend, threads: args.spec.threads, relaxedSimd: args.spec.relaxedSimd, campaignId, llm: args.spec.llm },
    log,
  );
  // An embedded transport knows every device class it has: a --device it lacks fails before the campaign is recorded.
  if (!args.resumeId && !transport.durable) {
    await chooseDevice(transport, { backend: args.spec.backend, wanted: args.spec.device, log }).catch(async (error: unknown) => {
      await transport.close();
      throw error;
    });
  }
  let store = args.store;
  const interrupt = onInterrupt(log, 'resume with `kevo campaign resume`');
  // On stderr and only on a terminal, so it never mixes with --json on stdout.
  const bar = progressBar();
  try {
    store ??= Store.open(args.spec.db);
    if (!args.resumeId) createCampaign(store, args.spec, campaignId);
    if (!args.flags.json) process.stderr.write(`campaign ${campaignId}\n`);
    const run = await runCampaign(campaignId, { store, transport, log, signal: interrupt.signal, onProgress: (p) => bar.update(p) });
    bar.end();
    const problems = await rankings(store, args.spec, run, transport.durable);
    report(store, args.spec, run, problems, args.flags.json === true);
    return run.status === 'done' ? 0 : 130;
  } catch (error) {
    throw damaged(args.spec.db, error) ?? error;
  } finally {
    bar.end();
    interrupt.release();
    await transport.close();
    store?.close();
  }
}

/** Ctrl-C (or SIGTERM) aborts the signal: the run finishes what is running and stops, resumable as `hint` says. */
export function onInterrupt(log: Logger, hint: string): { signal: AbortSignal; release(): void } {
  const abort = new AbortController();
  const onSignal = () => {
    log.warn(`stopping: finishing what is running; ${hint}`);
    abort.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: abort.signal,
    release() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

type Ranking = { problem: Problem; top: (BestRow & { promoted?: Promoted })[] };

/**
 * Each problem's best kernels. Over NATS the best is re-verified here first
 * (results came from other machines); embedded ones came from this process's
 * own pool.
 */
async function rankings(store: Store, spec: CampaignSpec, run: CampaignRun, remote: boolean): Promise<Ranking[]> {
  const ranked = specProblems(spec).map((problem) => {
    const top = store.best(problem, { deviceClassId: run.deviceClass.id, backend: spec.backend as Backend, limit: 5, harnessVersion: HARNESS_VERSION });
    return { problem, top, stored: storedKernels(store, remote ? top : []) };
  });
  const promoted = (top: readonly BestRow[]) => promotedRanking(store, top);
  if (!remote) return ranked.map(({ problem, top }) => ({ problem, top: promoted(top) }));
  const checked: Ranking[] = [];
  for (const { problem, top, stored } of ranked) {
    const { rows, refused } = await reverifiedRanking(top, stored);
    process.stderr.write(refusedLines(refused));
    checked.push({ problem, top: promoted(rows) });
  }
  return checked;
}

function report(store: Store, spec: CampaignSpec, run: CampaignRun, problems: readonly Ranking[], json: boolean): void {
  const llm = spec.llm && llmReport(store, run.campaignId, spec.llm);
  if (json) {
    const summarize = (b: (typeof problems)[number]['top'][number] | undefined) =>
      b && { kernelId: b.kernelId, genome: b.genome, gflops: b.gflops, speedup: b.speedup, medianMs: b.medianMs, deviceClass: b.deviceClass, ...(b.promoted ? { promoted: b.promoted } : {}) };
    printJson({
      campaignId: run.campaignId,
      status: run.status,
      evaluations: run.evaluations,
      cached: run.cached,
      failures: run.failures,
      best: summarize(problems[0]?.top[0]),
      ...(llm ? { llm: llm.summary } : {}),
      problems: problems.map((p) => ({ problem: p.problem, best: summarize(p.top[0]) })),
    });
    return;
  }
  const lines = [
    `campaign ${run.campaignId} ${run.status}: ${run.evaluations} evaluated, ${run.cached} from the store, ${run.failures} failed, on ${run.deviceClass.label}`,
    ...(llm ? [llm.line] : []),
  ];
  for (const { problem, top } of problems) {
    lines.push('', `best kernels for ${problem.op} ${opFor(problem).formatShape(problem.shape)}:`);
    lines.push(
      top.length === 0
        ? '  none verified yet'
        : table(
            ['kernel', 'GFLOP/s', 'speedup', 'promoted (95% CI)', 'median ms', 'genome'],
            top.map((b) => [b.kernelId, fixed(b.gflops, 1), `${fixed(b.speedup)}x`, promotedCell(b.promoted), fixed(b.medianMs, 3), describeGenome(b.genome)]),
          ),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** "1.84x [1.79-1.90]", with "tie" when its interval overlaps a neighbour's; "-" when not promoted. */
export function promotedCell(promoted: Promoted | undefined): string {
  if (!promoted) return '-';
  return `${fixed(promoted.speedup)}x [${fixed(promoted.low)}-${fixed(promoted.high)}]${promoted.tie ? ' tie' : ''}`;
}

/** A genome in one short line, e.g. "wasm 6x8 k1 mc48 kc256 nc512 packA packB nkm fma". */
export function describeGenome(genome: Record<string, unknown>): string {
  if (genome.family === 'source') return `${String(genome.backend)} source (${String(genome.language)})`;
  return Object.entries(genome)
    .filter(([key]) => key !== 'family' && key !== 'op')
    .map(([key, value]) => {
      if (typeof value === 'boolean') return value ? key : '';
      // A wrapped kernel's genes (the precision family's kernel, int4's gemm) in braces, its backend said once already.
      if (typeof value === 'object' && value !== null) return `${key}{${describeGenome(Object.fromEntries(Object.entries(value).filter(([inner]) => inner !== 'backend')))}}`;
      return key === 'backend' ? String(value) : `${key}=${String(value)}`;
    })
    .filter(Boolean)
    .join(' ');
}

/**
 * What the LLM did, naming the endpoint: a campaign whose every call failed
 * (a wrong URL, a dead server) otherwise reads like a plain search that went well.
 */
function llmReport(store: Store, campaignId: string, options: LlmOptions) {
  const { usage, failures } = llmCampaignSummary(store, campaignId);
  const endpoint = `${redactUrls(options.baseUrl)} (model ${options.model})`;
  const allFailed = usage.calls > 0 && usage.failures === usage.calls;
  const why = failures.map((f) => `${f.failure} ${f.count}`).join(', ');
  const line = allFailed
    ? `llm: all ${usage.calls} calls to ${endpoint} failed (${why}); the search went on without the LLM`
    : `llm: ${usage.calls} calls to ${endpoint}, ${usage.failures} failed${why ? ` (${why})` : ''}`;
  return { line, summary: { endpoint: redactUrls(options.baseUrl), model: options.model, calls: usage.calls, failures: usage.failures, allFailed, failuresByKind: failures } };
}
