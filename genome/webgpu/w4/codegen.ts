import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { directTile, genesText, indent, kSteps, ownedIndices, range, type DirectTile } from '../direct/genes.ts';

/** The w4 problem as the kernel sees it: shape, group, and whether zero points are an input. */
export interface W4Shape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly group: number;
  readonly zeroPoint: boolean;
}

export interface W4Kernel {
  readonly wgsl: string;
  readonly workgroupSize: [number, number, number];
  readonly tile: { rows: number; cols: number };
}

/**
 * Bindings in ABI order: A f32, B (bytes as u32 words: a column's padded
 * row of blocks * G nibbles is G/8 whole words per group), scales f32,
 * [zero_points as u32 words], C f32.
 */
export function w4Bindings(zeroPoint: boolean): string[] {
  const names: [string, string][] = [
    ['A', 'f32'],
    ['B', 'u32'],
    ['scales', 'f32'],
    ...(zeroPoint ? ([['zero_points', 'u32']] as [string, string][]) : []),
  ];
  return [
    ...names.map(([name, type], i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<${type}>;`),
    `@group(0) @binding(${names.length}) var<storage, read_write> C: array<f32>;`,
  ];
}

/** Column n's zero point for group g: its nibble in the packed zero points, or 8 without them. */
export function zeroPointExpr(s: W4Shape, n: string, g: string): string {
  if (!s.zeroPoint) return '8.0';
  const rowNibbles = 2 * int4Layout(s.n, s.k, s.group).zeroPointRowBytes;
  const at = `(${n}) * ${rowNibbles}u + (${g})`;
  return `f32(extractBits(zero_points[(${at}) >> 3u], ((${at}) & 7u) * 4u, 4u))`;
}

/**
 * Where each step's word of eight nibbles per column, the group's scale and
 * zero point come from: the packed tensors of the w4 problem (this family),
 * or B f32, quantized per group as it is loaded (genome/webgpu/precision/).
 */
export interface W4Source {
  /** Bindings in ABI order, then module-scope helpers. */
  readonly declarations: readonly string[];
  /** Per-thread lines after the columns' indices (bcol{c}_{q}), before the K loop. */
  readonly prologue: readonly string[];
  /** Lines that define word{v}, scale{v} and zp{v} for column `col` (named c_q) at step `at`, group `grp`. */
  column(col: string, name: string, v: string, at: string, grp: string): string[];
}

/** The w4 problem's tensors: B's words, scales and zero points (8 without them) read as they are. */
export function packedW4Source(s: W4Shape): W4Source {
  const blocks = int4Layout(s.n, s.k, s.group).blocks;
  const wordsPerColumn = (blocks * s.group) / 8;
  return {
    declarations: [...w4Bindings(s.zeroPoint), ''],
    prologue: [],
    column: (col, _, v, at, grp) => [
      `let word${v} = B[${col} * ${wordsPerColumn}u + (${at}) / 8u];`,
      `let scale${v} = scales[${col} * ${blocks}u + ${grp}];`,
      `let zp${v} = ${zeroPointExpr(s, col, grp)};`,
    ],
  };
}

/**
 * Thread (tx, ty) owns rows tileRow + r*WY + ty and columns tileCol +
 * (c*WX + tx)*4 .. +3. Each step of eight k loads, per column, the word of
 * its eight nibbles, the group's scale and zero point, and dequantizes them
 * to two vec4s; per row, A's eight values (zero past K: the padding nibbles
 * may hold anything). Columns past N read column N-1 and are not stored.
 */
export function matmulW4Wgsl(g: DirectTile, s: W4Shape, source = packedW4Source(s)): W4Kernel {
  const { m: M, n: N, k: K, group: G } = s;
  const columns = range(g.tn).flatMap((c) => range(4).map((q) => [c, q] as const));
  const step = (at: string, tag: string, count: number): string[] => {
    const a = (r: number, lane: number) => (lane < count ? `A[arow${r} + ${at} + ${lane}u]` : '0.0');
    return [
      `let grp${tag} = (${at}) / ${G}u;`,
      ...range(g.tm).flatMap((r) => [
        `let alo${r}${tag} = vec4<f32>(${range(4).map((l) => a(r, l)).join(', ')});`,
        `let ahi${r}${tag} = vec4<f32>(${range(4).map((l) => a(r, l + 4)).join(', ')});`,
      ]),
      ...columns.flatMap(([c, q]) => {
        const col = `bcol${c}_${q}`;
        const v = `${c}_${q}${tag}`;
        return [
          ...source.column(col, `${c}_${q}`, v, at, `grp${tag}`),
          `let wlo${v} = (vec4<f32>((vec4<u32>(word${v}) >> vec4<u32>(0u, 4u, 8u, 12u)) & vec4<u32>(15u)) - zp${v}) * scale${v};`,
          `let whi${v} = (vec4<f32>((vec4<u32>(word${v}) >> vec4<u32>(16u, 20u, 24u, 28u)) & vec4<u32>(15u)) - zp${v}) * scale${v};`,
        ];
      }),
      ...range(g.tm).flatMap((r) =>
        range(g.tn).map(
          (c) => `acc${r}_${c} += vec4<f32>(${range(4).map((q) => `dot(alo${r}${tag}, wlo${c}_${q}${tag}) + dot(ahi${r}${tag}, whi${c}_${q}${tag})`).join(', ')});`,
        ),
      ),
    ];
  };
  const lines = [
    `// kevo matmul w4 ${M}x${N}x${K} group ${G}${s.zeroPoint ? ', zero points' : ''}: C f32 = A f32 x dequantized B (ORT MatMulNBits layout), ${genesText(g)}`,
    `const M = ${M}u;`,
    `const N = ${N}u;`,
    `const K = ${K}u;`,
    '',
    ...source.declarations,
    `@compute @workgroup_size(${g.workgroupX}, ${g.workgroupY}, 1)`,
    'fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    ...[
      ...ownedIndices(g, M),
      ...columns.map(([c, q]) => `let bcol${c}_${q} = min(col${c} + ${q}u, ${N - 1}u);`),
      ...source.prologue,
      ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `var acc${r}_${c} = vec4<f32>(0.0);`)),
      ...kSteps(K, 8, g.unroll, step),
      ...range(g.tm).flatMap((r) => [
        `if (row${r} < M) {`,
        ...range(g.tn).flatMap((c) => range(4).map((q) => `  if (col${c} + ${q}u < N) { C[row${r} * N + col${c} + ${q}u] = acc${r}_${c}[${q}]; }`)),
        '}',
      ]),
    ].map(indent(1)),
    '}',
    '',
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [g.workgroupX, g.workgroupY, 1], tile: directTile(g) };
}

