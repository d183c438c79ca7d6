import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { directTile, funnelLoad, genesText, indent, kSteps, ownedIndices, range } from '../direct/genes.ts';
import type { Int8Kernel } from '../int8/codegen.ts';
import type { MatmulI16WebgpuGenome } from './genome.ts';
import { requantizedBindings, requantizedEntries, REQUANTIZE_FUNCTIONS, type OwnedElement } from './requantize.ts';

/** The shape plus the exponent block (absent: one exponent per tensor, which the kernel never sees) and whether C is requantized to i16. */
export interface I16Shape extends MatmulShape {
  readonly exponentBlock?: number | undefined;
  readonly requantized?: boolean;
}

/**
 * The bindings in ABI order: A, [a_exponents], B, [b_exponents], C (and
 * c_shift when requantized: requantize.ts). i16 tensors are array<u32> of
 * two halves a word, element e in the low half when e is even (the host's
 * Int16Array little-endian); the i8 exponents four to a word. The harness
 * pads each buffer to whole words.
 */
export function i16Bindings(shape: I16Shape): string[] {
  const names = shape.exponentBlock !== undefined ? ['A', 'a_exponents', 'B', 'b_exponents'] : ['A', 'B'];
  return [
    ...names.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<u32>;`),
    ...(shape.requantized ? requantizedBindings(names.length) : [`@group(0) @binding(${names.length}) var<storage, read_write> C: array<i32>;`]),
    ...(shape.requantized ? ['', ...REQUANTIZE_FUNCTIONS] : []),
  ];
}

/** The entry (or with requantizing, the three) over a computation whose results are `elements`, stored as i32 C or requantized. */
export function i16Entries(shape: I16Shape, attribute: string, head: string, compute: readonly string[], elements: readonly OwnedElement[]): string[] {
  if (shape.requantized) return requantizedEntries(attribute, head, compute, elements);
  return [attribute, `fn main${head} {`, ...compute, ...elements.map((e) => `  if (${e.guard}) { C[${e.index}] = ${e.value}; }`), '}', ''];
}

/**
 * Block b's factor 2^(e_b - E) mod 2^32 as an i32 (0 once the shift reaches
 * 32: WGSL takes a runtime shift count mod 32, so the select drops it), with
 * E = min over blocks of e_b = a_exponents[b] + b_exponents[b], the scheme's
 * C exponent. Every thread finds E itself: ceil(K/B) exponent pairs.
 */
export function exponentFunctions({ k, exponentBlock }: I16Shape): string[] {
  const blocks = Math.ceil(k / exponentBlock!);
  const byte = (t: string) => `extractBits(bitcast<i32>(${t}[b >> 2u]), (b & 3u) * 8u, 8u)`;
  return [
    `const BLOCK = ${exponentBlock}u;`,
    `const BLOCKS = ${blocks}u;`,
    `fn blockExponent(b: u32) -> i32 { return ${byte('a_exponents')} + ${byte('b_exponents')}; }`,
    'fn leastExponent() -> i32 {',
    '  var e = blockExponent(0u);',
    '  for (var b = 1u; b < BLOCKS; b++) { e = min(e, blockExponent(b)); }',
    '  return e;',
    '}',
    'fn blockScale(b: u32, least: i32) -> i32 {',
    '  let d = u32(blockExponent(b) - least);',
    '  return select(0i, 1i << d, d < 32u);',
    '}',
    '',
  ];
}

/** The signed half h (0 low, 1 high) of word w, as i32. */
export function half(w: string, h: 0 | 1, unpack: 'shift' | 'bits'): string {
  if (unpack === 'bits') return `extractBits(bitcast<i32>(${w}), ${16 * h}u, 16u)`;
  return h === 0 ? `((bitcast<i32>(${w}) << 16u) >> 16u)` : `(bitcast<i32>(${w}) >> 16u)`;
}

/**
 * Thread (tx, ty) owns rows tileRow + r*WY + ty and the column groups
 * tileCol + (c*WX + tx)*4 .. +3 (../direct/). Each step of two k loads one
 * word of A per row and two words of B per k per group; an odd K ends with
 * a one-k step. Sums are i32 and wrap mod 2^32, as the scheme says. With
 * block exponents, `block` keeps a partial sum per block and adds it times
 * the block's factor at the block's end; `step` multiplies each step's
 * products by its own block's factor. Both are exact mod 2^32.
 */
export function matmulI16Wgsl(g: MatmulI16WebgpuGenome, shape: I16Shape): Int8Kernel {
  const { m: M, n: N, k: K } = shape;
  const blocked = shape.exponentBlock !== undefined;
  const lines = [
    `// kevo matmul i16 ${M}x${N}x${K}${blocked ? `, exponent block ${shape.exponentBlock}` : ''}: C[M,N] i32 = A[M,K] x B[K,N], ${genesText(g)}`,
    `const M = ${M}u;`,
    `const N = ${N}u;`,
    `const K = ${K}u;`,
    '',
    ...i16Bindings(shape),
    '',
    ...(blocked ? exponentFunctions(shape) : []),
    ...(K % 2 === 0 ? [] : funnelLoad('A', Math.ceil((M * K) / 2), 16)),
    ...(N % 4 === 0 ? [] : funnelLoad('B', Math.ceil((K * N) / 2), 16)),
    ...i16Entries(
      shape,
      `@compute @workgroup_size(${g.workgroupX}, ${g.workgroupY}, 1)`,
      '(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>)',
      body(g, shape).map(indent(1)),
      range(g.tm).flatMap((r) =>
        range(g.tn).flatMap((c) => range(4).map((q) => ({ guard: `row${r} < M && col${c} + ${q}u < N`, value: `acc${r}_${c}[${q}]`, index: `row${r} * N + col${c} + ${q}u` }))),
      ),
    ),
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [g.workgroupX, g.workgroupY, 1], tile: directTile(g) };
}

function body(g: MatmulI16WebgpuGenome, shape: I16Shape): string[] {
  const { m: M, n: N, k: K } = shape;
  const tiles = range(g.tm).flatMap((r) => range(g.tn).map((c) => [r, c] as const));
  const loadA = (e: string) => (K % 2 === 0 ? `A[(${e}) >> 1u]` : `loadA(${e})`);
  const loadB = (e: string) => (N % 4 === 0 ? `B[(${e}) >> 1u]` : `loadB(${e})`);
  const bcol = (c: number) => (N % 4 === 0 ? `min(col${c}, ${N - 4}u)` : `min(col${c}, ${N - 1}u)`);
  /** One step of `count` (1 or 2) k at `at` into accumulators `target`, its products times `factor` when there is one. */
  const step = (target: string, factor: ((at: string) => string) | null) => (at: string, tag: string, count: number): string[] => {
    const a = range(g.tm).flatMap((r) => [
      `let aw${r}${tag} = ${loadA(`arow${r} + ${at}`)};`,
      `let av${r}${tag} = vec2<i32>(${half(`aw${r}${tag}`, 0, g.unpack)}, ${half(`aw${r}${tag}`, 1, g.unpack)});`,
    ]);
    const b = range(g.tn).flatMap((c) =>
      range(count).flatMap((t) => {
        const e = `(${at} + ${t}u) * N + bcol${c}`;
        const [w0, w1] = [`bw${c}_${t}a${tag}`, `bw${c}_${t}b${tag}`];
        return [
          `let ${w0} = ${loadB(e)};`,
          `let ${w1} = ${loadB(`${e} + 2u`)};`,
          `let bv${c}_${t}${tag} = vec4<i32>(${half(w0, 0, g.unpack)}, ${half(w0, 1, g.unpack)}, ${half(w1, 0, g.unpack)}, ${half(w1, 1, g.unpack)});`,
        ];
      }),
    );
    const f = factor ? [`let f${tag} = ${factor(at)};`] : [];
    const sums = tiles.map(([r, c]) => {
      const products = range(count).map((t) => `av${r}${tag}.${'xy'[t]} * bv${c}_${t}${tag}`).join(' + ');
      return `${target}${r}_${c} += ${factor ? `(${products}) * f${tag}` : products};`;
    });
    return [...a, ...b, ...f, ...sums];
  };
  const blocked = shape.exponentBlock !== undefined;
  const scaleAt = (at: string) => `blockScale((${at}) / BLOCK, least)`;
  const loop = !blocked
    ? kSteps(K, 2, g.unroll, step('acc', null))
    : g.combine === 'step'
      ? kSteps(K, 2, g.unroll, step('acc', scaleAt))
      : blockLoop(g, K, tiles, step('part', null), step('acc', scaleAt));
  return [
    ...ownedIndices(g, M),
    ...range(g.tn).map((c) => `let bcol${c} = ${bcol(c)};`),
    ...(blocked ? ['let least = leastExponent();'] : []),
    ...tiles.map(([r, c]) => `var acc${r}_${c} = vec4<i32>(0);`),
    ...loop,
  ];
}

/**
 * `combine: block`: per block, whole two-k steps into zeroed partial sums
 * (`unroll` steps a trip, then single ones), added times the block's factor
 * at its end. A block is even (32, 64, 128), so only K's last element, when
 * K is odd, is left: one step scaled on its own.
 */
function blockLoop(
  g: MatmulI16WebgpuGenome,
  K: number,
  tiles: readonly (readonly [number, number])[],
  inBlock: (at: string, tag: string, count: number) => string[],
  tail: (at: string, tag: string, count: number) => string[],
): string[] {
  const even = K - (K % 2);
  const u = Math.max(1, g.unroll);
  return [
    'for (var b = 0u; b < BLOCKS; b++) {',
    ...[
      `let end = min(b * BLOCK + BLOCK, ${even}u);`,
      ...tiles.map(([r, c]) => `var part${r}_${c} = vec4<i32>(0);`),
      'var k = b * BLOCK;',
      `for (; k + ${2 * u}u <= end; k += ${2 * u}u) {`,
      ...range(u).flatMap((i) => inBlock(i === 0 ? 'k' : `k + ${2 * i}u`, `_${i}`, 2)).map(indent(1)),
      '}',
      ...(u > 1 ? ['for (; k < end; k += 2u) {', ...inBlock('k', '', 2).map(indent(1)), '}'] : []),
      'let f = blockScale(b, least);',
      ...tiles.map(([r, c]) => `acc${r}_${c} += part${r}_${c} * f;`),
    ].map(indent(1)),
    '}',
    ...(K % 2 === 1 ? ['{', ...tail(`${K - 1}u`, '_t', 1).map(indent(1)), '}'] : []),
  ];
}
