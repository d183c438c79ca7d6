import { z } from 'zod';
import { Backend } from '../genome/genome.ts';
import { AccuracyText, problemFrom } from '../genome/ops/index.ts';
import { sortBest } from '../coordinator/store/best.ts';
import { storedFronts } from '../coordinator/store/front.ts';
import { llmCampaignSummary, listPrompts, showPrompt } from '../coordinator/store/llm.ts';
import { tuneRun, tuneRuns } from '../coordinator/store/tune.ts';
import type { CampaignRow, EvaluationRow, Store } from '../coordinator/store/store.ts';
import { describeZodError, KevoError } from '../lib/errors.ts';
import { kernelPage } from './kernel-page.ts';
import { PromotionStore, promotedRanking } from '../coordinator/store/promotions.ts';
import { portabilityReport } from '../coordinator/portability.ts';
import { HARNESS_VERSION } from '../verifiers/version.ts';
import { suiteReport } from '../coordinator/suite/report.ts';
import { listSuites } from '../coordinator/store/suites.ts';

/**
 * The problem fields a query may give, as `kevo best` takes them (dtype=i8,
 * group=32, epilogue=bias,gelu, zeroPoint=true, output=i16, weights=fixed, ...): text in a
 * URL, typed here, judged by the op's schema.
 */
const problemQuery = {
  dtype: z.string().optional(),
  group: z.coerce.number().optional(),
  zeroPoint: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  exponentBlock: z.coerce.number().optional(),
  output: z.string().optional(),
  weights: z.string().optional(),
  epilogue: z.string().transform((text) => text.split(',')).optional(),
  stride: z.coerce.number().optional(),
  pad: z.string().optional(),
};

const BestQuery = z
  .object({
    op: z.string().min(1),
    shape: z.string().min(1),
    device: z.string().min(1).optional(),
    backend: Backend.optional(),
    accuracy: AccuracyText.optional(),
    ...problemQuery,
    limit: z.coerce.number().int().min(1).max(1000).default(10),
  })
  .strict();

const PortabilityQuery = BestQuery.omit({ device: true, backend: true, limit: true });

/** The problem a query names: its op, shape and whichever problem fields it gives (the op's schema judges them; an error names the field). */
function queryProblem({ op, shape, device: _device, backend: _backend, limit: _limit, ...fields }: Partial<z.infer<typeof BestQuery>> & { op: string; shape: string }) {
  const given = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return problemFrom(op, shape, given);
}

/** A JSON answer, or the error a client made (400, 404). */
export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * The read-only JSON API over the store: what `kevo best`, `campaign list|show`
 * and `prompts` print, for dashboards and scripts. Pure routing over the Store:
 * the HTTP shell is serve/server.ts.
 */
export function answer(store: Store, path: string, query: URLSearchParams): ApiAnswer {
  try {
    const parts = path.split('/').filter(Boolean).map(decodeSegment);
    const [root, what, id] = parts;
    if (root !== 'api') return notFound(path);
    if (what === 'campaigns' && parts.length === 2) return ok(store.campaigns());
    if (what === 'campaigns' && id && parts.length === 3) return campaign(store, id);
    if (what === 'best' && parts.length === 2) return best(store, query);
    if (what === 'front' && parts.length === 2) return front(store, query);
    if (what === 'kernels' && id && parts.length === 3) return ok(kernelPage(store, id));
    if (what === 'portability' && parts.length === 2) return portability(store, query);
    if (what === 'devices' && parts.length === 2) return ok(store.devices());
    if (what === 'prompts' && parts.length === 2) return ok(listPrompts(store));
    if (what === 'prompts' && id && parts.length === 3) return ok(showPrompt(store, id));
    if (what === 'suites' && parts.length === 2) return ok(suites(store));
    if (what === 'suites' && id && parts.length === 3) return ok(suiteReport(store, id));
    if (what === 'tune-reports' && parts.length === 2) return ok(tuneRuns(store));
    if (what === 'tune-reports' && id && parts.length === 3) return ok(tuneRun(store, id));
    return notFound(path);
  } catch (error) {
    const status = clientErrorStatus(error);
    if (status === undefined) throw error;
    return { status, body: { error: (error as Error).message } };
  }
}

/** 404 or 400 for an error the client caused (an unknown id, a malformed one); undefined for the server's own. */
export function clientErrorStatus(error: unknown): number | undefined {
  if (error instanceof KevoError && error.code === 'NOT_FOUND') return 404;
  if (error instanceof KevoError && error.code === 'BAD_INPUT') return 400;
  return undefined;
}

function campaign(store: Store, id: string): ApiAnswer {
  const row = store.campaign(id);
  if (!row) return { status: 404, body: { error: `no campaign "${id}"` } };
  const evaluations = store.evaluations(id);
  return ok({ ...campaignSummary(store, row, evaluations), evaluationsList: evaluations });
}

/** A campaign's row with its ten best verified evaluations and LLM lines: what its page heads with, and what the live stream repeats on change. */
export function campaignSummary(store: Store, row: CampaignRow, evaluations: readonly EvaluationRow[]) {
  const llm = (row.spec as { llm?: unknown }).llm ? llmCampaignSummary(store, row.id) : undefined;
  return { ...row, best: sortBest(evaluations.filter((e) => e.status === 'ok')).slice(0, 10), llm };
}

function best(store: Store, query: URLSearchParams): ApiAnswer {
  const parsed = BestQuery.safeParse(Object.fromEntries(query));
  if (!parsed.success) return { status: 400, body: { error: `invalid query: ${describeZodError(parsed.error)}` } };
  const { device, backend, limit } = parsed.data;
  const problem = queryProblem(parsed.data);
  const deviceClassId = device ? store.resolveDevice(device).id : undefined;
  // As `kevo best` ranks: only kernels the current harness passed.
  return ok(promotedRanking(store, store.best(problem, { deviceClassId, backend, limit, harnessVersion: HARNESS_VERSION })));
}

const FrontQuery = BestQuery.omit({ limit: true });

/** The accuracy-vs-speed Pareto fronts of a problem with a numeric accuracy (`kevo best --front`), per device class. */
function front(store: Store, query: URLSearchParams): ApiAnswer {
  const parsed = FrontQuery.safeParse(Object.fromEntries(query));
  if (!parsed.success) return { status: 400, body: { error: `invalid query: ${describeZodError(parsed.error)}` } };
  const { device, backend } = parsed.data;
  const problem = queryProblem(parsed.data);
  const deviceClassId = device ? store.resolveDevice(device).id : undefined;
  return ok(storedFronts(store, problem, { deviceClassId, backend, harnessVersion: HARNESS_VERSION }));
}

/** The stored portability timings of a problem (`kevo portability`) as a report: who wins where, rank correlations. */
function portability(store: Store, query: URLSearchParams): ApiAnswer {
  const parsed = PortabilityQuery.safeParse(Object.fromEntries(query));
  if (!parsed.success) return { status: 400, body: { error: `invalid query: ${describeZodError(parsed.error)}` } };
  const problem = queryProblem(parsed.data);
  return ok(portabilityReport(new PromotionStore(store).forProblem(problem, 'portability')));
}

/** Every suite, newest first, with its overall figures: the list a dashboard draws before opening one. */
function suites(store: Store) {
  return listSuites(store).map((suite) => {
    const { status, overall, categories } = suiteReport(store, suite.id);
    return { id: suite.id, name: suite.name, createdAt: suite.createdAt, status, categories: categories.map((c) => c.category), overall };
  });
}

/** A path segment's percent-escapes decoded; a malformed one (`%`, `%zz`) is the client's error. */
export function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new KevoError('BAD_INPUT', `malformed percent-escape in path segment "${segment}"`);
  }
}

const ok = (body: unknown): ApiAnswer => ({ status: 200, body });
const notFound = (path: string): ApiAnswer => ({ status: 404, body: { error: `no such endpoint: ${path}` } });
