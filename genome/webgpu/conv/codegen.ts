import { KevoError } from '../../../lib/errors.ts';
import { epilogueParts, hasEpilogue, separateStages, type EpilogueSpec } from '../../ops/epilogue.ts';
import { geometry } from '../../ops/conv/geometry.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { WgslKernel } from '../codegen.ts';
import { activationFunctions, applyEpilogue, bindingDeclarations, passEntry } from '../epilogue.ts';
import type { ConvWebgpuGenome } from './genome.ts';
import { bandBounds, bandIndex, haloOf, stageBand, type Halo } from './halo.ts';
import { computeBytes, F32_NUMBERS, load, numberBindings, numberHelpers, numbersOf, store, usesF16, zero, type Numbers } from './numbers.ts';
import { convPlan, type ConvPlan } from './plan.ts';

/** Why codegen cannot honour this genome for this op (whatever the shape), or null. The search space checks more. */
export function convCodegenProblem(g: ConvGenes, plan: ConvPlan): string | null {
  if (plan.depthwise && g.algorithm !== 'direct') return 'a depthwise convolution is no GEMM: algorithm must be direct';
  if (g.workgroupMemory && g.algorithm === 'direct' && !plan.image) return 'workgroupMemory with the direct algorithm stages an input band with its halo: only forward convolutions (conv2d, dwconv2d) have one';
  return null;
}

/** The genes codegen reads: the f32 family's, or the f16 family's (which adds how tensors are stored, given to codegen as Numbers). */
export type ConvGenes = Omit<ConvWebgpuGenome, 'family'>;

interface Ctx {
  readonly g: ConvGenes;
  readonly numbers: Numbers;
  /** The direct algorithm's staged input band, or null. */
  readonly halo: Halo | null;
  readonly plan: ConvPlan;
  readonly tile: { rows: number; cols: number };
  readonly vt: string;
  /** kTile, never more than the reduction's length. */
  readonly KT: number;
  readonly epilogue: EpilogueSpec | null;
}

const indent = (depth: number) => (line: string) => (line ? '  '.repeat(depth) + line : line);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Thread (tx, ty) of a WX x WY workgroup owns rows `tileRow + r*WY + ty` (r < tm)
 * and column groups `tileCol + (c*WX + tx)*vec` (c < tn), strided so that
 * neighbouring threads touch neighbouring memory. Rows and columns past the
 * output are clamped for loads and dropped at the store; a gathered term on
 * padding is a zero (select), so it costs one multiply and no branch.
 */
export function convWgsl(g: ConvGenes, p: ConvProblem, numbers: Numbers = numbersOf(p)): WgslKernel {
  const plan = convPlan(p.op, geometry(p));
  const problem = convCodegenProblem(g, plan);
  if (problem) throw new KevoError('BAD_INPUT', `webgpu conv genome: ${problem}`);
  const tile = convTile(g);
  const epilogue = epilogueParts(p.epilogue);
  const fused = hasEpilogue(epilogue) && (g.epilogue ?? 'fused') === 'fused';
  const T = numbers.compute;
  const halo = g.workgroupMemory && g.algorithm === 'direct' ? haloOf(plan.image!, plan.depthwise, tile, g.kTile) : null;
  const ctx: Ctx = { g, numbers, halo, plan, tile, vt: g.vec === 4 ? `vec4<${T}>` : T, KT: Math.min(g.kTile, plan.outer * plan.inner), epilogue: fused ? epilogue : null };
  const passes = fused ? [] : separateStages(epilogue).map(([name, spec]) => passEntry(name, spec, { m: plan.rows, n: plan.cols }, false));
  const genes = Object.fromEntries(Object.entries(g).filter(([key]) => !['backend', 'family', 'op'].includes(key)));
  const lines = [
    `// kevo ${p.op} ${p.dtype} as ${plan.rows}x${plan.cols} sums of ${plan.outer}x${plan.inner} terms, ${JSON.stringify(genes)}`,
    ...(usesF16(numbers) ? ['enable f16;'] : []),
    `const M = ${plan.rows}u;`,
    `const N = ${plan.cols}u;`,
    ...(numbers.storage === 'f32' ? bindingDeclarations(epilogue, false) : numberBindings(numbers)),
    ...numberHelpers(numbers),
    ...activationFunctions(epilogue),
    ...(halo ? [`var<workgroup> Hs: array<${T}, ${halo.elements}>;`] : []),
    ...(g.workgroupMemory && !halo ? [`var<workgroup> As: array<${T}, ${ctx.KT * tile.rows}>;`, `var<workgroup> Bs: array<${ctx.vt}, ${ctx.KT * g.workgroupX * g.tn}>;`] : []),
    '',
    `@compute @workgroup_size(${g.workgroupX}, ${g.workgroupY}, 1)`,
    'fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    `  let tileRow = wg.y * ${tile.rows}u;`,
    `  let tileCol = wg.x * ${tile.cols}u;`,
    // Reduction bounds the shader compiler cannot see through: lavapipe's LLVM fully unrolls constant-trip
    // loops, which made a first dispatch (its compile) take 5-60 s on these nests.
    '  let opaque = select(1u, 0u, arrayLength(&C) == 0u);',
    `  let O = ${plan.outer}u * opaque;`,
    `  let I = ${plan.inner}u * opaque;`,
    '  let T = O * I;',
    ...owned(ctx).map(indent(1)),
    ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `  var acc${r}_${c} = ${ctx.vt}(${zero(numbers)});`)),
    ...(halo ? haloLoop(ctx, halo) : g.algorithm === 'direct' ? directLoop(ctx) : g.workgroupMemory ? stagedLoop(ctx) : gemmLoop(ctx)).map(indent(1)),
    ...stores(ctx).map(indent(1)),
    '}',
    ...passes.flatMap((pass) => pass.code),
    '',
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [g.workgroupX, g.workgroupY, 1], tile, passes: passes.map((pass) => pass.pass) };
}

const convTile = (g: ConvGenes) => ({ rows: g.workgroupY * g.tm, cols: g.workgroupX * g.tn * g.vec });

/** Bytes of workgroup memory a genome asks for (the space checks it against the adapter): staged scalars of 4 bytes, 2 when it computes in f16. */
export function convWorkgroupBytes(g: ConvGenes, plan: ConvPlan, numbers: Numbers = F32_NUMBERS): number {
  if (!g.workgroupMemory) return 0;
  if (g.algorithm === 'direct') return plan.image ? haloOf(plan.image, plan.depthwise, convTile(g), g.kTile).elements * computeBytes(numbers) : 0;
  const KT = Math.min(g.kTile, plan.outer * plan.inner);
  return KT * (g.workgroupY * g.tm + g.workgroupX * g.tn * g.vec) * computeBytes(numbers);
}

/** Each thread's rows (raw for the store, clamped for loads, with their coordinates) and column groups. */
function owned({ g, plan }: Ctx): string[] {
  return [
    ...range(g.tm).flatMap((r) => [
      `let out${r} = tileRow + ${r * g.workgroupY}u + lid.y;`,
      `let row${r} = min(out${r}, M - 1u);`,
      ...plan.rowCoords(String(r)),
    ]),
    ...range(g.tn).map((c) => `let col${c} = tileCol + ${c * g.workgroupX * g.vec}u + lid.x * ${g.vec}u;`),
  ];
}

/** Column `col` + lane, clamped into the output (the extra lanes compute and are dropped). */
const lane = (col: string, e: number) => (e === 0 ? `min(${col}, N - 1u)` : `min(${col} + ${e}u, N - 1u)`);

/** One group of `vec` columns of B (or of a depthwise A row at `base`) as the accumulator's type. */
function columns({ g, vt }: Ctx, read: (col: string) => string, col: string): string {
  if (g.vec === 1) return read(lane(col, 0));
  return `${vt}(${range(4).map((e) => read(lane(col, e))).join(', ')})`;
}

/** The gather of row r at the current o (whose coordinates are in scope): A's index at i = 0 and whether the term exists. */
function gatherRows({ g, plan }: Ctx, suffix = ''): string[] {
  return range(g.tm).flatMap((r) => {
    const { index, valid } = plan.gather(String(r));
    return [`let va${r}${suffix} = ${valid};`, `let pa${r}${suffix} = select(0u, ${index}, va${r}${suffix});`];
  });
}

/**
 * acc += A * B for one term, the gathers of this (row, o) in scope as pa/va
 * with `suffix`, B read at (o, i). Staged in a halo band, A is read at
 * pa + the term's place in the band's chunk (`ai`), zeros staged for padding.
 */
function term(ctx: Ctx, o: string, i: string, suffix: string, tag: string, ai = i): string[] {
  const { g, plan, vt, numbers, halo } = ctx;
  const bs = range(g.tn).map((c) => `let b${c}${tag} = ${columns(ctx, (col) => load(numbers, 'B', plan.bIndex(o, i, col)), `col${c}`)};`);
  if (plan.depthwise) {
    const a = (r: number, c: number) =>
      halo
        ? columns(ctx, (col) => `Hs[pa${r}${suffix} + ${col} - tileCol]`, `col${c}`)
        : `select(${vt}(${zero(numbers)}), ${columns(ctx, (col) => load(numbers, 'A', `pa${r}${suffix} + ${col}`), `col${c}`)}, va${r}${suffix})`;
    return [...bs, ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `acc${r}_${c} += ${a(r, c)} * b${c}${tag};`))];
  }
  const at = plan.aInnerStride === 0 ? '' : ` + ${ai}`;
  const a = (r: number) => (halo ? `Hs[pa${r}${suffix}${at}]` : `select(${zero(numbers)}, ${load(numbers, 'A', `pa${r}${suffix}${at}`)}, va${r}${suffix})`);
  return [
    ...range(g.tm).map((r) => `let a${r}${tag} = ${a(r)};`),
    ...bs,
    ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `acc${r}_${c} += a${r}${tag} * b${c}${tag};`)),
  ];
}

/** `for (; v + U <= end; v += U) body(v + u)` then the remainder one at a time: flat loops (lavapipe compiles nested constant-trip loops slowly). */
function unrolled(v: string, end: string, unroll: number, length: number, body: (at: string, tag: string) => string[]): string[] {
  const u = Math.max(1, Math.min(unroll, length));
  return [
    `for (; ${v} + ${u}u <= ${end}; ${v} += ${u}u) {`,
    ...range(u).flatMap((k) => body(k === 0 ? v : `${v} + ${k}u`, `_${k}`)).map(indent(1)),
    '}',
    `for (; ${v} < ${end}; ${v}++) {`,
    ...body(v, '').map(indent(1)),
    '}',
  ];
}

/**
 * Taps outside, channels inside: the gather's index and padding test once per
 * tap. Without an inner loop (depthwise, bwd-weights) the tap loop is the one unrolled.
 */
function directLoop(ctx: Ctx): string[] {
  const { plan, g } = ctx;
  if (plan.depthwise || plan.inner === 1) {
    const tap = (o: string, tag: string) => ['{', ...[`let o = ${o};`, ...plan.outerCoords, ...gatherRows(ctx), ...term(ctx, 'o', '0u', '', tag)].map(indent(1)), '}'];
    return ['var o0 = 0u;', ...unrolled('o0', 'O', g.unroll, plan.outer, tap)];
  }
  const inner = ['var i = 0u;', ...unrolled('i', 'I', g.unroll, plan.inner, (i, tag) => term(ctx, 'o', i, '', tag))];
  return ['for (var o = 0u; o < O; o++) {', ...[...plan.outerCoords, ...gatherRows(ctx), ...inner].map(indent(1)), '}'];
}

/** o and i of flat reduction index t, with o's coordinates, in a block of their own per unrolled step. */
function decompose({ plan }: Ctx, t: string): string[] {
  return [`let o = (${t}) / I;`, `let i = (${t}) % I;`, ...plan.outerCoords];
}

/** Implicit GEMM straight from storage: one flat loop over taps x channels, the gather recomputed every term. */
function gemmLoop(ctx: Ctx): string[] {
  const T = ctx.plan.outer * ctx.plan.inner;
  return ['var t = 0u;', ...unrolled('t', 'T', ctx.g.unroll, T, (t, tag) => ['{', ...[...decompose(ctx, t), ...gatherRows(ctx), ...term(ctx, 'o', 'i', '', tag)].map(indent(1)), '}'])];
}

/**
 * Implicit GEMM through workgroup memory: per kTile of the reduction the
 * workgroup gathers its rows' input terms (zeros on padding) into As and the
 * weights' columns into Bs, then every thread runs its register tile from there.
 */
function stagedLoop(ctx: Ctx): string[] {
  const { g, plan, tile, KT } = ctx;
  const T = plan.outer * plan.inner;
  const threads = g.workgroupX * g.workgroupY;
  const groups = g.workgroupX * g.tn;
  const { index, valid } = plan.gather('L');
  const loads = [
    `for (var e = tid; e < ${KT * tile.rows}u; e += ${threads}u) {`,
    `  let kk = e / ${tile.rows}u;`,
    `  let rowL = min(tileRow + e % ${tile.rows}u, M - 1u);`,
    ...plan.rowCoords('L').map(indent(1)),
    ...decompose(ctx, `min(t0 + kk, ${T - 1}u)`).map(indent(1)),
    `  As[e] = select(${zero(ctx.numbers)}, ${load(ctx.numbers, 'A', `select(0u, ${index}${plan.aInnerStride === 0 ? '' : ' + i'}, ${valid})`)}, ${valid});`,
    '}',
    `for (var e = tid; e < ${KT * groups}u; e += ${threads}u) {`,
    `  let kk = e / ${groups}u;`,
    ...decompose(ctx, `min(t0 + kk, ${T - 1}u)`).map(indent(1)),
    `  Bs[e] = ${columns(ctx, (col) => load(ctx.numbers, 'B', plan.bIndex('o', 'i', col)), `tileCol + (e % ${groups}u) * ${g.vec}u`)};`,
    '}',
    'workgroupBarrier();',
  ];
  const step = (kk: string, tag: string) => [
    ...range(g.tm).map((r) => `let a${r}${tag} = As[(${kk}) * ${tile.rows}u + ${r * g.workgroupY}u + lid.y];`),
    ...range(g.tn).map((c) => `let b${c}${tag} = Bs[(${kk}) * ${groups}u + ${c * g.workgroupX}u + lid.x];`),
    ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `acc${r}_${c} += a${r}${tag} * b${c}${tag};`)),
  ];
  return [
    `let tid = lid.y * ${g.workgroupX}u + lid.x;`,
    `for (var t0 = 0u; t0 < T; t0 += ${KT}u) {`,
    ...[...loads, `let count = min(${KT}u, T - t0);`, 'var kk = 0u;', ...unrolled('kk', 'count', g.unroll, KT, step), 'workgroupBarrier();'].map(indent(1)),
    '}',
  ];
}

/**
 * The direct algorithm from a staged band (halo.ts): each chunk of channels
 * of the band (depthwise: the workgroup's channels, once) is staged by the
 * whole workgroup, then every thread walks its taps x the chunk from it.
 */
function haloLoop(ctx: Ctx, halo: Halo): string[] {
  const { g, plan, tile } = ctx;
  const image = plan.image!;
  const threads = g.workgroupX * g.workgroupY;
  const bandRows = range(g.tm).map((r) => `let pa${r} = ${bandIndex(image, halo, String(r))};`);
  const start = [`let tid = lid.y * ${g.workgroupX}u + lid.x;`, ...bandBounds(image, halo, tile.rows)];
  if (plan.depthwise) {
    const tap = (o: string, tag: string) => ['{', ...[`let o = ${o};`, ...plan.outerCoords, ...bandRows, ...term(ctx, 'o', '0u', '', tag)].map(indent(1)), '}'];
    return [...start, ...stageBand(image, halo, ctx.numbers, threads, 'tileCol', `${image.c}u`), 'var o0 = 0u;', ...unrolled('o0', 'O', g.unroll, plan.outer, tap)];
  }
  const inner = ['var i = 0u;', ...unrolled('i', 'count', g.unroll, halo.chunk, (i, tag) => term(ctx, 'o', `c0 + ${i}`, '', tag, i))];
  return [
    ...start,
    `for (var c0 = 0u; c0 < I; c0 += ${halo.chunk}u) {`,
    ...[
      ...stageBand(image, halo, ctx.numbers, threads, 'c0', 'I'),
      `let count = min(${halo.chunk}u, I - c0);`,
      'for (var o = 0u; o < O; o++) {',
      ...[...plan.outerCoords, ...bandRows, ...inner].map(indent(1)),
      '}',
      'workgroupBarrier();',
    ].map(indent(1)),
    '}',
  ];
}

/** out[row, col] = acc through the fused epilogue, lane by lane: columns need not be a multiple of 4. */
function stores({ g, epilogue, numbers }: Ctx): string[] {
  const put = (r: number, c: number, e: number) => {
    const col = e === 0 ? `col${c}` : `col${c} + ${e}u`;
    const at = `out${r} * N + ${col}`;
    const v = `acc${r}_${c}${g.vec === 4 ? `[${e}]` : ''}`;
    return `if (${col} < N) { ${store(numbers, at, epilogue ? applyEpilogue(epilogue, v, false, col, at) : v)} }`;
  };
  return range(g.tm).flatMap((r) => [`if (out${r} < M) {`, ...range(g.tn).flatMap((c) => range(g.vec).map((e) => `  ${put(r, c, e)}`)), '}']);
}
