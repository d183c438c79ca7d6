import type { Rng } from '../../lib/rng.ts';

/**
 * The genes every WGSL register-tile family shares (matmul, the
 * convolutions): a workgroup of x*y threads, each computing tm rows x tn
 * groups of `vec` columns, a reduction staged kTile deep and unrolled. Their
 * grids, the adapter's limits on them, and how to step and repair them.
 */
export interface TileGenes {
  workgroupX: number;
  workgroupY: number;
  tm: number;
  tn: number;
  vec: 1 | 4;
  kTile: number;
  unroll: number;
}

/** What the adapter allows (GpuFacts features and limits); a missing limit falls back to WebGPU's default. */
export interface WebgpuCaps {
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  /** WGSL language features the compiler has; absent: none known. */
  readonly wgslFeatures?: readonly string[];
}

const DEFAULT_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeWorkgroupsPerDimension: 65535,
} as const;
export type LimitName = keyof typeof DEFAULT_LIMITS;
export const limitOf = (caps: WebgpuCaps) => (name: LimitName) => caps.limits[name] ?? DEFAULT_LIMITS[name];

export const WORKGROUP = [1, 2, 4, 8, 16, 32, 64];
export const REGISTER_TILE = [1, 2, 3, 4, 5, 6, 7, 8];
export const K_TILE = [1, 2, 4, 8, 16, 32, 64];
export const UNROLL = [1, 2, 4, 8, 16];
/** f32 accumulators per thread: past this a GPU spills registers and occupancy collapses. */
export const MAX_ACCUMULATORS = 64;
/** Fused multiply-adds in the unrolled body: bounds shader size and compile time. */
export const MAX_UNROLLED_FMAS = 512;
/** Fewer threads than this cannot hide any latency: not worth a trial. */
export const MIN_THREADS = 4;

export const nextPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/** The largest grid value at most `x` that satisfies `ok` (grids start at 1, which always does). */
export const largest = (grid: readonly number[], x: number, ok: (v: number) => boolean = () => true) => [...grid].reverse().find((v) => v <= x && ok(v)) ?? grid[0]!;

/** The output a space tiles: its row and column bounds (the problem rounded up to powers of two) and how to name them. */
export interface TileBounds {
  readonly maxRows: number;
  readonly maxCols: number;
  /** e.g. "M 37", "the 143 output rows". */
  readonly rowsName: string;
  readonly colsName: string;
}

/** Why a workgroup of workgroupX x workgroupY threads breaks the adapter's limits or is too small to try, or null. */
export function workgroupProblem(g: Pick<TileGenes, 'workgroupX' | 'workgroupY'>, limit: (name: LimitName) => number): string | null {
  const threads = g.workgroupX * g.workgroupY;
  if (threads > limit('maxComputeInvocationsPerWorkgroup')) {
    return `a ${g.workgroupX}x${g.workgroupY} workgroup is ${threads} threads, over the adapter's ${limit('maxComputeInvocationsPerWorkgroup')}`;
  }
  if (threads < MIN_THREADS) return `a ${g.workgroupX}x${g.workgroupY} workgroup is fewer than ${MIN_THREADS} threads`;
  if (g.workgroupX > limit('maxComputeWorkgroupSizeX') || g.workgroupY > limit('maxComputeWorkgroupSizeY')) {
    return `workgroup ${g.workgroupX}x${g.workgroupY} is over the adapter's per-dimension size limits`;
  }
  return null;
}

/** Why the workgroup and register tile break the adapter's limits or the problem's bounds, or null. */
export function tileProblem(g: TileGenes, limit: (name: LimitName) => number, bounds: TileBounds): string | null {
  const workgroup = workgroupProblem(g, limit);
  if (workgroup) return workgroup;
  const accumulators = g.tm * g.tn * g.vec;
  if (accumulators > MAX_ACCUMULATORS) return `a ${g.tm}x${g.tn * g.vec} register tile is ${accumulators} accumulators, over ${MAX_ACCUMULATORS}`;
  if (g.tm * g.tn * g.unroll > MAX_UNROLLED_FMAS) return `unroll ${g.unroll} of a ${g.tm}x${g.tn} tile is over ${MAX_UNROLLED_FMAS} unrolled operations`;
  const rows = g.workgroupY * g.tm;
  const cols = g.workgroupX * g.tn * g.vec;
  if (rows > bounds.maxRows) return `a tile of ${rows} rows is bigger than ${bounds.rowsName} needs`;
  if (cols > bounds.maxCols) return `a tile of ${cols} columns is bigger than ${bounds.colsName} needs`;
  return null;
}

/** Fits the register tile and the workgroup into the bounds and the adapter, in place: tm/tn, then the workgroup. */
export function repairTile(g: TileGenes, limit: (name: LimitName) => number, { maxRows, maxCols }: TileBounds): void {
  g.tm = Math.min(g.tm, maxRows);
  g.tn = Math.max(1, Math.min(g.tn, Math.floor(maxCols / g.vec)));
  while (g.tm * g.tn * g.vec > MAX_ACCUMULATORS) {
    if (g.tm >= g.tn && g.tm > 1) g.tm--;
    else g.tn--;
  }
  g.workgroupY = largest(WORKGROUP, Math.min(g.workgroupY, limit('maxComputeWorkgroupSizeY'), Math.max(1, Math.floor(maxRows / g.tm))));
  g.workgroupX = largest(WORKGROUP, Math.min(g.workgroupX, limit('maxComputeWorkgroupSizeX'), Math.max(1, Math.floor(maxCols / (g.tn * g.vec)))));
  while (g.workgroupX * g.workgroupY > limit('maxComputeInvocationsPerWorkgroup')) {
    if (g.workgroupX >= g.workgroupY) g.workgroupX /= 2;
    else g.workgroupY /= 2;
  }
}

/** A neighbour of `current` on the grid. */
export function step(values: readonly number[], current: number, rng: Rng): number {
  const at = values.reduce((best, v, i) => (Math.abs(v - current) < Math.abs(values[best]! - current) ? i : best), 0);
  const neighbours = [values[at - 1], values[at + 1]].filter((v): v is number => v !== undefined);
  return neighbours.length > 0 ? rng.pick(neighbours) : values[at]!;
}

/** One mutation per tile gene: a step to a neighbouring grid value (vec flips). */
export function tileMutations<G extends TileGenes>(): ((g: G, rng: Rng) => G)[] {
  return [
    (g, rng) => ({ ...g, workgroupX: step(WORKGROUP, g.workgroupX, rng) }),
    (g, rng) => ({ ...g, workgroupY: step(WORKGROUP, g.workgroupY, rng) }),
    (g, rng) => ({ ...g, tm: step(REGISTER_TILE, g.tm, rng) }),
    (g, rng) => ({ ...g, tn: step(REGISTER_TILE, g.tn, rng) }),
    (g) => ({ ...g, vec: g.vec === 4 ? 1 : 4 }),
    (g, rng) => ({ ...g, kTile: step(K_TILE, g.kTile, rng) }),
    (g, rng) => ({ ...g, unroll: step(UNROLL, g.unroll, rng) }),
  ];
}

/** Behaviour descriptor of the tile's size: outputs per workgroup. */
export function tileSize(g: TileGenes): string {
  const outputs = g.workgroupX * g.workgroupY * g.tm * g.tn * g.vec;
  return `tile:${outputs <= 256 ? 'small' : outputs <= 2048 ? 'medium' : 'large'}`;
}
