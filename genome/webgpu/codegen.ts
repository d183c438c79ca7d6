import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { KevoError } from '../../lib/errors.ts';
import { epilogueParts, hasEpilogue, separateStages, type EpilogueSpec } from '../ops/epilogue.ts';
import { activationFunctions, applyEpilogue, bindingDeclarations, passEntry, type WgslPass } from './epilogue.ts';
import type { MatmulWebgpuGenome } from './genome.ts';

/** A WGSL kernel with what the host needs to dispatch it (see genome/families/abi.ts). */
export interface WgslKernel {
  readonly wgsl: string;
  readonly workgroupSize: [number, number, number];
  /** The output tile one workgroup covers: dispatch = (ceil(N / cols), ceil(M / rows), 1). */
  readonly tile: { rows: number; cols: number };
  /** Dispatches after the main one (an epilogue run as separate passes); none when fused or absent. */
  readonly passes: readonly WgslPass[];
}

/** Why codegen cannot honour this genome (whatever the shape), or null. The search space checks more. */
export function codegenProblem(g: MatmulWebgpuGenome): string | null {
  if (g.kTile % g.unroll !== 0) return `unroll ${g.unroll} must divide kTile ${g.kTile}`;
  if (g.doubleBuffer && !g.workgroupMemory) return 'doubleBuffer needs workgroupMemory';
  return null;
}

/**
 * Thread (tx, ty) of a WX x WY workgroup owns rows `tileRow + r*WY + ty` (r < tm)
 * and column groups `tileCol + (g*WX + tx)*vec` (g < tn): strided, so neighbouring
 * threads touch neighbouring memory. Loads clamp their indices into range
 * instead of branching; the results of clamped rows and columns are computed
 * and dropped, and a k beyond K is never summed (0 * Inf would be NaN).
 */
export function matmulWgsl(g: MatmulWebgpuGenome, p: MatmulProblem, sums: 'f32' | 'f16' = g.precision): WgslKernel {
  const problem = codegenProblem(g);
  if (problem) throw new KevoError('BAD_INPUT', `webgpu genome: ${problem}`);
  const { m: M, n: N, k: K } = p.shape;
  const WX = g.workgroupX;
  const WY = g.workgroupY;
  const V = g.vec;
  const tile = { rows: WY * g.tm, cols: WX * g.tn * V };
  const T = g.precision;
  // A vector load of B or store of C is whole only when every row starts on a vector boundary.
  const wide = V === 4 && N % 4 === 0;
  const vt = V === 4 ? `vec4<${T}>` : T;
  const epilogue = epilogueParts(p.epilogue);
  const fused = hasEpilogue(epilogue) && (g.epilogue ?? 'fused') === 'fused';
  const ctx: Ctx = { g, M, N, K, T, S: sums, vt, wide, tile, KT: Math.min(g.kTile, K), epilogue: fused ? epilogue : null };
  const passes = fused ? [] : separateStages(epilogue).map(([name, spec]) => passEntry(name, spec, { m: M, n: N }, wide));

  const lines = [
    `// kevo matmul ${M}x${N}x${K}: C[M,N] = A[M,K] x B[K,N], ${JSON.stringify(genomeGenes(g))}`,
    ...(T === 'f16' ? ['enable f16;'] : []),
    '',
    `const M = ${M}u;`,
    `const N = ${N}u;`,
    `const K = ${K}u;`,
    ...(g.workgroupMemory ? [`const KT = ${ctx.KT}u;`] : []),
    '',
    ...bindingDeclarations(epilogue, wide),
    ...activationFunctions(epilogue),
    ...(g.workgroupMemory ? sharedDeclarations(ctx) : []),
    '',
    `@compute @workgroup_size(${WX}, ${WY}, 1)`,
    'fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    `  let tileRow = wg.y * ${tile.rows}u;`,
    `  let tileCol = wg.x * ${tile.cols}u;`,
    ...ownedIndices(ctx).map(indent(1)),
    ...accumulators(ctx).map(indent(1)),
    ...(g.workgroupMemory ? sharedLoop(ctx) : directLoop(ctx)).map(indent(1)),
    ...stores(ctx).map(indent(1)),
    '}',
    ...passes.flatMap((pass) => pass.code),
    '',
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [WX, WY, 1], tile, passes: passes.map((pass) => pass.pass) };
}

/** `type(expr)` unless expr already has that type: inputs are f32, the compute type may be f16. */
function cast(type: string, expr: string, from: string): string {
  return type === from ? expr : `${type}(${expr})`;
}

interface Ctx {
  readonly g: MatmulWebgpuGenome;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly T: 'f32' | 'f16';
  /**
   * The accumulators' type: T, or f32 under f16 math (the precision family's
   * f16 with f32 sums: each f16 product widened, as mixed-precision units
   * do; widening an f16-rounded input instead is folded away by lavapipe).
   */
  readonly S: 'f32' | 'f16';
  /** The element type of one column group: T or vec4<T>. */
  readonly vt: string;
  readonly wide: boolean;
  readonly tile: { rows: number; cols: number };
  /** kTile, never more than K. */
  readonly KT: number;
  /** Applied to each value before it is stored; null when there is none or it runs as a pass. */
  readonly epilogue: EpilogueSpec | null;
}

function genomeGenes(g: MatmulWebgpuGenome): Omit<MatmulWebgpuGenome, 'backend' | 'family'> {
  const { backend: _b, family: _f, ...genes } = g;
  return genes;
}

const indent = (depth: number) => (line: string) => (line ? '  '.repeat(depth) + line : line);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Clamped row and column indices each thread loads from (direct loads) and stores to. */
function ownedIndices({ g, N, M, wide }: Ctx): string[] {
  const rows = range(g.tm).map((r) => `let row${r} = tileRow + ${r * g.workgroupY}u + lid.y;`);
  const cols = range(g.tn).map((c) => `let col${c} = tileCol + ${c * g.workgroupX * g.vec}u + lid.x * ${g.vec}u;`);
  const clampedRows = range(g.tm).map((r) => `let arow${r} = min(row${r}, ${M - 1}u) * K;`);
  // For wide B the clamp keeps whole vectors (N - 4 is a multiple of 4); narrow vec4 loads clamp lane by lane.
  const clampedCols = g.vec === 4 && !wide ? [] : range(g.tn).map((c) => (wide ? `let bcol${c} = min(col${c}, ${N - 4}u) / 4u;` : `let bcol${c} = min(col${c}, ${N - 1}u);`));
  return [...rows, ...cols, ...(g.workgroupMemory ? [] : [...clampedRows, ...clampedCols])];
}

/** The type of one column group's accumulator: S or vec4<S>. */
const accType = ({ g, S }: Ctx) => (g.vec === 4 ? `vec4<${S}>` : S);

function accumulators(ctx: Ctx): string[] {
  return range(ctx.g.tm).flatMap((r) => range(ctx.g.tn).map((c) => `var acc${r}_${c} = ${accType(ctx)}(0.0);`));
}

/** acc[r][c] += a[r] * b[c] for one k, given expressions for the loads. */
function microKernel(ctx: Ctx, loadA: (r: number) => string, loadB: (c: number) => string, tag: string): string[] {
  const { g } = ctx;
  return [
    ...range(g.tm).map((r) => `let a${r}${tag} = ${loadA(r)};`),
    ...range(g.tn).map((c) => `let b${c}${tag} = ${loadB(c)};`),
    ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `acc${r}_${c} += ${cast(accType(ctx), `a${r}${tag} * b${c}${tag}`, ctx.vt)};`)),
  ];
}

/**
 * The K loop over workgroup-memory tiles: per tile, the unrolled body while
 * `unroll` more k remain, then (only where K % kTile or kTile % unroll leaves
 * some) one k at a time. Flat loops, not an if/else of two: lavapipe's LLVM
 * compiles nested constant-trip loops very slowly.
 */
function kLoop(ctx: Ctx, step: (kk: string, tag: string) => string[], tileBody: { before: string[]; after: string[] }): string[] {
  const { g, K, KT } = ctx;
  const unroll = Math.min(g.unroll, KT);
  const partialTile = K % KT !== 0;
  const count = partialTile ? 'kCount' : 'KT';
  const body = [
    ...(partialTile ? ['let kCount = min(KT, K - k0);'] : []),
    'var kk = 0u;',
    `for (; kk + ${unroll}u <= ${count}; kk += ${unroll}u) {`,
    ...range(unroll).flatMap((u) => step(u === 0 ? 'kk' : `kk + ${u}u`, `_${u}`)).map(indent(1)),
    '}',
    ...(partialTile || KT % unroll !== 0 ? [`for (; kk < ${count}; kk++) {`, ...step('kk', '').map(indent(1)), '}'] : []),
  ];
  return [
    `for (var k0 = 0u; k0 < K; k0 += KT) {`,
    ...[...tileBody.before, ...body, ...tileBody.after].map(indent(1)),
    '}',
  ];
}

function loadBDirect({ T, vt, wide, g, N }: Ctx, c: number, k: string): string {
  if (wide) return cast(vt, `B[(${k}) * ${N / 4}u + bcol${c}]`, 'vec4<f32>');
  if (g.vec === 1) return cast(T, `B[(${k}) * N + bcol${c}]`, 'f32');
  const lanes = range(4).map((e) => `B[(${k}) * N + min(col${c} + ${e}u, ${N - 1}u)]`);
  return cast(vt, `vec4<f32>(${lanes.join(', ')})`, 'vec4<f32>');
}

/**
 * Without workgroup memory kTile has nothing to stage: one flat K loop,
 * unrolled, then the remainder one k at a time. (Nested constant-trip loops
 * here made lavapipe's LLVM take seconds to compile a tiny shader.)
 */
function directLoop(ctx: Ctx): string[] {
  const { g, K } = ctx;
  const unroll = Math.min(g.unroll, K);
  const step = (k: string, tag: string) => microKernel(ctx, (r) => cast(ctx.T, `A[arow${r} + ${k}]`, 'f32'), (c) => loadBDirect(ctx, c, k), tag);
  const main = [
    `for (; k + ${unroll}u <= K; k += ${unroll}u) {`,
    ...range(unroll).flatMap((u) => step(u === 0 ? 'k' : `k + ${u}u`, `_${u}`)).map(indent(1)),
    '}',
  ];
  const rest = K % unroll === 0 ? [] : ['for (; k < K; k++) {', ...step('k', '').map(indent(1)), '}'];
  return ['var k = 0u;', ...main, ...rest];
}

// ---- workgroup-memory tiling ------------------------------------------------

function sharedSizes({ g, tile, KT }: Ctx) {
  const groups = tile.cols / g.vec;
  return { aTile: KT * tile.rows, bTile: KT * groups, groups, buffers: g.doubleBuffer ? 2 : 1 };
}

/** Bytes of workgroup memory a genome asks for at this K (the space checks it against the adapter). */
export function workgroupBytes(g: MatmulWebgpuGenome, k: number): number {
  if (!g.workgroupMemory) return 0;
  const KT = Math.min(g.kTile, k);
  const elem = g.precision === 'f16' ? 2 : 4;
  const rows = g.workgroupY * g.tm;
  const cols = g.workgroupX * g.tn * g.vec;
  // vec4<f16> is 8 bytes, vec4<f32> 16: either way 4 elements per column group.
  return (g.doubleBuffer ? 2 : 1) * KT * (rows + cols) * elem;
}

/** As[kk * rows + r] and Bs[kk * groups + c]: k-major, so one k's operands are contiguous. */
function sharedDeclarations(ctx: Ctx): string[] {
  const { aTile, bTile, buffers } = sharedSizes(ctx);
  return [
    `var<workgroup> As: array<${ctx.T}, ${aTile * buffers}>;`,
    `var<workgroup> Bs: array<${ctx.vt}, ${bTile * buffers}>;`,
  ];
}

/** The start of buffer `buffer` (an index expression) in a double-buffered array; nothing when single. */
function offset(buffer: string | null, size: number): string {
  return buffer === null ? '' : `${buffer} * ${size}u + `;
}

/** Every thread of the workgroup copies its share of the A and B tiles for the K tile at `k0`. */
function cooperativeLoad(ctx: Ctx, k0: string, buffer: string | null): string[] {
  const { g, tile, T, vt, wide, M, N } = ctx;
  const { aTile, bTile, groups } = sharedSizes(ctx);
  const threads = g.workgroupX * g.workgroupY;
  const kIndex = `min(${k0} + kk, ${ctx.K - 1}u)`;
  const bLoad = wide
    ? cast(vt, `B[${kIndex} * ${N / 4}u + min(tileCol / 4u + c, ${N / 4 - 1}u)]`, 'vec4<f32>')
    : g.vec === 1
      ? cast(T, `B[${kIndex} * N + min(tileCol + c, ${N - 1}u)]`, 'f32')
      : cast(vt, `vec4<f32>(${range(4).map((e) => `B[${kIndex} * N + min(tileCol + c * 4u + ${e}u, ${N - 1}u)]`).join(', ')})`, 'vec4<f32>');
  return [
    `for (var i = tid; i < ${aTile}u; i += ${threads}u) {`,
    `  let r = i / KT;`,
    `  let kk = i % KT;`,
    `  As[${offset(buffer, aTile)}kk * ${tile.rows}u + r] = ${cast(T, `A[min(tileRow + r, ${M - 1}u) * K + ${kIndex}]`, 'f32')};`,
    '}',
    `for (var i = tid; i < ${bTile}u; i += ${threads}u) {`,
    `  let kk = i / ${groups}u;`,
    `  let c = i % ${groups}u;`,
    `  Bs[${offset(buffer, bTile)}i] = ${bLoad};`,
    '}',
  ];
}

function sharedLoop(ctx: Ctx): string[] {
  const { g, tile } = ctx;
  const { aTile, bTile, groups } = sharedSizes(ctx);
  const tid = [`let tid = lid.y * ${g.workgroupX}u + lid.x;`];
  const step = (cur: string | null) => (kk: string, tag: string) =>
    microKernel(
      ctx,
      (r) => `As[${offset(cur, aTile)}(${kk}) * ${tile.rows}u + ${r * g.workgroupY}u + lid.y]`,
      (c) => `Bs[${offset(cur, bTile)}(${kk}) * ${groups}u + ${c * g.workgroupX}u + lid.x]`,
      tag,
    );
  if (!g.doubleBuffer) {
    return [...tid, ...kLoop(ctx, step(null), { before: [...cooperativeLoad(ctx, 'k0', null), 'workgroupBarrier();'], after: ['workgroupBarrier();'] })];
  }
  // Load tile t+1 into the other buffer while computing tile t: one barrier per tile.
  return [
    ...tid,
    ...cooperativeLoad(ctx, '0u', '0u'),
    'workgroupBarrier();',
    ...kLoop(ctx, step('cur'), {
      before: [
        'let cur = (k0 / KT) % 2u;',
        'if (k0 + KT < K) {',
        ...cooperativeLoad(ctx, '(k0 + KT)', '(1u - cur)').map(indent(1)),
        '}',
      ],
      after: ['workgroupBarrier();'],
    }),
  ];
}

// ---- stores -----------------------------------------------------------------

function stores({ g, S, wide, epilogue }: Ctx): string[] {
  const value = (r: number, c: number, lane?: number) => {
    const acc = `acc${r}_${c}${lane === undefined ? '' : `[${lane}]`}`;
    if (S === 'f32') return acc;
    return lane === undefined && g.vec === 4 ? `vec4<f32>(${acc})` : `f32(${acc})`;
  };
  /** C[at] = v, through the epilogue when it is fused here. */
  const store = (at: string, v: string, vector: boolean, col: string) => `C[${at}] = ${epilogue ? applyEpilogue(epilogue, v, vector, col, at) : v};`;
  return range(g.tm).flatMap((r) => [
    `if (row${r} < M) {`,
    ...range(g.tn).flatMap((c) => {
      if (wide) return [`  if (col${c} < N) { ${store(`(row${r} * N + col${c}) / 4u`, value(r, c), true, `col${c}`)} }`];
      if (g.vec === 1) return [`  if (col${c} < N) { ${store(`row${r} * N + col${c}`, value(r, c), false, `col${c}`)} }`];
      return range(4).map((lane) => `  if (col${c} + ${lane}u < N) { ${store(`row${r} * N + col${c} + ${lane}u`, value(r, c, lane), false, `col${c} + ${lane}u`)} }`);
    }),
    '}',
  ]);
}
