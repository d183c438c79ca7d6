import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { directTile, funnelLoad, genesText, indent, kSteps, ownedIndices, range } from '../direct/genes.ts';
import type { MatmulInt8WebgpuGenome } from './genome.ts';

/**
 * Which integer scheme: i8 (A and B i8, no zero points) or u8i8 (ONNX
 * MatMulInteger: A u8 with a_zero_point, B i8 with b_zero_point).
 */
export type Int8Scheme = 'i8' | 'u8i8';

export interface Int8Kernel {
  readonly wgsl: string;
  readonly workgroupSize: [number, number, number];
  readonly tile: { rows: number; cols: number };
}

/**
 * The bindings in ABI order: A, [a_zero_point], B, [b_zero_point], C. Every
 * byte tensor is an array<u32> of four bytes per word, element e in byte
 * e % 4 (little-endian, as the host's Int8Array/Uint8Array lays it out);
 * the harness pads each buffer to whole words.
 */
export function int8Bindings(s: Int8Scheme): string[] {
  const names = s === 'u8i8' ? ['A', 'a_zero_point', 'B', 'b_zero_point'] : ['A', 'B'];
  return [
    ...names.map((name, i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<u32>;`),
    `@group(0) @binding(${names.length}) var<storage, read_write> C: array<i32>;`,
  ];
}

/** The byte at element e of a packed tensor, as i32: sign-extended for i8, not for u8. */
export function byteAt(tensor: string, e: string, signed: boolean): string {
  const word = `${tensor}[(${e}) >> 2u]`;
  return signed ? `extractBits(bitcast<i32>(${word}), ((${e}) & 3u) * 8u, 8u)` : `i32(extractBits(${word}, ((${e}) & 3u) * 8u, 8u))`;
}

/** The zero points as i32 (u8 for A, i8 for B), from the first byte of their one-word buffers. */
export const zeroPointLines = ['let za = i32(a_zero_point[0] & 0xffu);', 'let zb = extractBits(bitcast<i32>(b_zero_point[0]), 0u, 8u);'];

/**
 * Where the kernel's words of four bytes come from and what C receives: the
 * packed tensors of the scheme (this family), or f32 tensors quantized as
 * they are loaded (genome/webgpu/precision/).
 */
export interface Int8Source {
  /** Bindings in ABI order, then module-scope helpers. */
  readonly declarations: readonly string[];
  /** Per-thread lines after the owned indices (arow{r}, bcol{c}), before the K loop. */
  readonly prologue: readonly string[];
  /** The word of row r's four bytes of A from element e on. */
  wordA(r: number, e: string): string;
  /** The word of group c's four columns of B from element e on. */
  wordB(c: number, e: string): string;
  /** What C[row r, column q of group c] receives from the i32 sum acc{r}_{c}[q]. */
  output(r: number, c: number, q: number): string;
}

/** The scheme's packed tensors: words read as they are (funnel-shifted from two where unaligned), C the i32 sums. */
export function packedInt8Source({ m: M, n: N, k: K }: MatmulShape, s: Int8Scheme): Int8Source {
  return {
    declarations: [...int8Bindings(s), '', ...(K % 4 === 0 ? [] : funnelLoad('A', Math.ceil((M * K) / 4), 8)), ...(N % 4 === 0 ? [] : funnelLoad('B', Math.ceil((K * N) / 4), 8))],
    prologue: [],
    wordA: (_, e) => (K % 4 === 0 ? `A[(${e}) >> 2u]` : `loadA(${e})`),
    wordB: (_, e) => (N % 4 === 0 ? `B[(${e}) >> 2u]` : `loadB(${e})`),
    output: (r, c, q) => `acc${r}_${c}[${q}]`,
  };
}

/**
 * Thread (tx, ty) owns rows tileRow + r*WY + ty and the column groups
 * tileCol + (c*WX + tx)*4 .. +3. Each step of four k loads one word of A per
 * row (four k) and one word of B per k per group (four columns), unaligned
 * words funnel-shifted from two. A step over fewer than four k (the K tail)
 * masks A's missing bytes to zero and loads no B for them, so they add
 * nothing. All sums are i32 and wrap mod 2^32, as the scheme's contract says;
 * zero points are applied once at the end, exactly, through
 * sum (a - za)(b - zb) = sum ab - zb sum a - za sum b + K za zb (mod 2^32).
 */
export function matmulInt8Wgsl(g: MatmulInt8WebgpuGenome, shape: MatmulShape, s: Int8Scheme, source = packedInt8Source(shape, s)): Int8Kernel {
  const { m: M, n: N, k: K } = shape;
  const tile = directTile(g);
  const lines = [
    `// kevo matmul ${s} ${M}x${N}x${K}: C[M,N] i32 = A[M,K] x B[K,N], ${genesText(g)}`,
    `const M = ${M}u;`,
    `const N = ${N}u;`,
    `const K = ${K}u;`,
    '',
    ...source.declarations,
    `@compute @workgroup_size(${g.workgroupX}, ${g.workgroupY}, 1)`,
    'fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    ...body(g, shape, s, source).map(indent(1)),
    '}',
    '',
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [g.workgroupX, g.workgroupY, 1], tile };
}

function body(g: MatmulInt8WebgpuGenome, { m: M, n: N, k: K }: MatmulShape, s: Int8Scheme, source: Int8Source): string[] {
  const tiles = range(g.tm).flatMap((r) => range(g.tn).map((c) => [r, c] as const));
  // For aligned B a group's column stays a multiple of 4: clamp it to the last whole group.
  const bcol = (c: number) => (N % 4 === 0 ? `min(col${c}, ${N - 4}u)` : `min(col${c}, ${N - 1}u)`);
  const step = (at: string, tag: string, count: number): string[] => {
    const mask = count === 4 ? '' : ` & 0x${(2 ** (8 * count) - 1).toString(16)}u`;
    const a = range(g.tm).map((r) => `let aw${r}${tag} = ${source.wordA(r, `arow${r} + ${at}`)}${mask};`);
    const b = range(g.tn).flatMap((c) => range(count).map((t) => `let bw${c}_${t}${tag} = ${source.wordB(c, `(${at} + ${t}u) * N + bcol${c}`)};`));
    return [...a, ...b, ...(g.instruction === 'dot4' ? dot4Step(g, s, tag, count) : unpackStep(g, s, tag, count))];
  };
  const u8 = s === 'u8i8';
  // dot4 on u8 A read B biased by 128 (dot4Step): 128 sum a comes off with the zero point's zb sum a.
  const zeroPoints = u8
    ? [...zeroPointLines, `let kzz = ${K} * za * zb;`, ...tiles.map(([r, c]) => `acc${r}_${c} = acc${r}_${c} - (zb${g.instruction === 'dot4' ? ' + 128' : ''}) * sumA${r} - za * sumB${c} + kzz;`)]
    : [];
  return [
    ...ownedIndices(g, M),
    ...range(g.tn).map((c) => `let bcol${c} = ${bcol(c)};`),
    ...source.prologue,
    ...tiles.map(([r, c]) => `var acc${r}_${c} = vec4<i32>(0);`),
    ...(u8 ? [...range(g.tm).map((r) => `var sumA${r} = 0i;`), ...range(g.tn).map((c) => `var sumB${c} = vec4<i32>(0);`)] : []),
    ...kSteps(K, 4, g.unroll, step),
    ...zeroPoints,
    ...range(g.tm).flatMap((r) => [
      `if (row${r} < M) {`,
      ...range(g.tn).flatMap((c) => range(4).map((q) => `  if (col${c} + ${q}u < N) { C[row${r} * N + col${c} + ${q}u] = ${source.output(r, c, q)}; }`)),
      '}',
    ]),
  ];
}

/** Column q of a group as one word of four k (byte t from row t's word): a 4x4 byte transpose; rows past the K tail are zero. */
function transposed(c: number, q: number, tag: string, count: number): string {
  const bytes = range(count).map((t) => {
    const byte = q === 3 ? `(bw${c}_${t}${tag} >> 24u)` : `((bw${c}_${t}${tag} >> ${8 * q}u) & 0xffu)`;
    return t === 0 ? byte : `(${byte} << ${8 * t}u)`;
  });
  return bytes.join(' | ');
}

/**
 * dot4I8Packed(a, b) sums four i8 products. u8 A has only dot4U8Packed, so B
 * is biased to u8 (b ^ 0x80 = b + 128) and 128 sum a comes off at the end.
 */
function dot4Step(g: MatmulInt8WebgpuGenome, s: Int8Scheme, tag: string, count: number): string[] {
  const dot = (a: string, b: string) => (s === 'u8i8' ? `bitcast<i32>(dot4U8Packed(${a}, ${b} ^ 0x80808080u))` : `dot4I8Packed(${a}, ${b})`);
  const columns = range(g.tn).flatMap((c) => range(4).map((q) => `let bt${c}_${q}${tag} = ${transposed(c, q, tag, count)};`));
  const products = range(g.tm).flatMap((r) =>
    range(g.tn).map((c) => `acc${r}_${c} += vec4<i32>(${range(4).map((q) => dot(`aw${r}${tag}`, `bt${c}_${q}${tag}`)).join(', ')});`),
  );
  const sums = s === 'u8i8'
    ? [
        ...range(g.tm).map((r) => `sumA${r} += bitcast<i32>(dot4U8Packed(aw${r}${tag}, 0x01010101u));`),
        ...range(g.tn).map((c) => `sumB${c} += vec4<i32>(${range(4).map((q) => `dot4I8Packed(0x01010101u, bt${c}_${q}${tag})`).join(', ')});`),
      ]
    : [];
  return [...columns, ...products, ...sums];
}

/** Four bytes of a word as vec4<i32>, sign-extended or not, by unpack4x*8 or extractBits. */
function unpacked(word: string, signed: boolean, instruction: 'unpack' | 'bits'): string {
  if (instruction === 'unpack') return signed ? `unpack4xI8(${word})` : `vec4<i32>(unpack4xU8(${word}))`;
  const lanes = range(4).map((q) => (signed ? `extractBits(bitcast<i32>(${word}), ${8 * q}u, 8u)` : `i32(extractBits(${word}, ${8 * q}u, 8u))`));
  return `vec4<i32>(${lanes.join(', ')})`;
}

/** acc[r][c] (four columns) += a[r][k+t] * B[k+t][group c], t < count: an outer product per k. */
function unpackStep(g: MatmulInt8WebgpuGenome, s: Int8Scheme, tag: string, count: number): string[] {
  const instruction = g.instruction as 'unpack' | 'bits';
  const lane = ['x', 'y', 'z', 'w'];
  return [
    ...range(g.tm).map((r) => `let av${r}${tag} = ${unpacked(`aw${r}${tag}`, s === 'i8', instruction)};`),
    ...range(g.tn).flatMap((c) => range(count).map((t) => `let bv${c}_${t}${tag} = ${unpacked(`bw${c}_${t}${tag}`, true, instruction)};`)),
    ...range(g.tm).flatMap((r) =>
      range(g.tn).map((c) => `acc${r}_${c} += ${range(count).map((t) => `av${r}${tag}.${lane[t]} * bv${c}_${t}${tag}`).join(' + ')};`),
    ),
    ...(s === 'u8i8'
      ? [
          ...range(g.tm).map((r) => `sumA${r} += dot(av${r}${tag}, vec4<i32>(1));`),
          ...range(g.tn).map((c) => `sumB${c} += ${range(count).map((t) => `bv${c}_${t}${tag}`).join(' + ')};`),
        ]
      : []),
  ];
}

