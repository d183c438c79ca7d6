import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { directTile, range, type DirectTile } from '../direct/genes.ts';
import type { Int8Source } from '../int8/codegen.ts';
import type { W4Shape, W4Source } from '../w4/codegen.ts';

/**
 * The f32 problem's bindings, and max |x| over a run of an f32 tensor on the
 * bits: for non-negative floats u32 order is float order, and NaN's bits
 * (0x7f800001..) lie above Inf's, so a NaN or Inf input makes its scale NaN
 * or Inf and the outputs that use it come out non-finite, as the reference's
 * do (WGSL's max on floats may drop a NaN; lavapipe folds x != x to false).
 * A workgroup reads its rows of A and columns of B whole in the K loop
 * anyway: one max pass over them first costs a second read.
 */
function f32Declarations(maxima: readonly string[]): string[] {
  return [
    '@group(0) @binding(0) var<storage, read> A: array<f32>;',
    '@group(0) @binding(1) var<storage, read> B: array<f32>;',
    '@group(0) @binding(2) var<storage, read_write> C: array<f32>;',
    '',
    ...maxima,
    `fn maxAbs(bits: u32, x: f32) -> u32 { return max(bits, bitcast<u32>(x) & 0x7fffffffu); }`,
    '',
    // The quotient only where the max is positive: 0 / 0 is NaN, whose conversion to an integer WGSL leaves undefined.
    'fn levels(x: vec4<f32>, mx: vec4<f32>, top: f32) -> vec4<i32> {',
    '  return vec4<i32>(round(select(vec4<f32>(0.0), x / mx, mx > vec4<f32>(0.0)) * top));',
    '}',
    '',
  ];
}

/** max |A[row, :]| from the row's first element e. */
const rowMax = (k: number) => [`fn rowMax(e: u32) -> f32 {`, '  var bits = 0u;', `  for (var k = 0u; k < ${k}u; k++) { bits = maxAbs(bits, A[e + k]); }`, '  return bitcast<f32>(bits);', '}', ''];

/** max |B[k0..k1, col]|. */
const colMax = (n: number) => [
  'fn colMax(col: u32, k0: u32, k1: u32) -> f32 {',
  '  var bits = 0u;',
  `  for (var k = k0; k < k1; k++) { bits = maxAbs(bits, B[k * ${n}u + col]); }`,
  '  return bitcast<f32>(bits);',
  '}',
  '',
];

/**
 * i8 through the int8 tile: A per row and B per column to symmetric int8
 * (round(x / max * 127), scale max / 127), quantized as each word of four
 * is loaded, C = f32(sum) x (row scale x column scale), the two scales
 * multiplied first as the WASM family does. The workgroup's threads share
 * the max pass over its rows and columns (workgroup memory, at most
 * (64 x 8 + 64 x 32) floats for the direct space's tiles: 10 KiB), then
 * each reads its own. Loads clamp into the tensor; the tile masks bytes
 * past K and drops columns past N.
 */
export function quantizedI8Source(shape: MatmulShape, g: DirectTile): Int8Source {
  const { m, n, k } = shape;
  const { rows, cols } = directTile(g);
  const threads = g.workgroupX * g.workgroupY;
  const lastA = m * k - 1;
  const lastB = k * n - 1;
  const four = (tensor: string, last: number) => `vec4<f32>(${range(4).map((t) => `${tensor}[${t === 0 ? 'e' : `min(e + ${t}u, ${last}u)`}]`).join(', ')})`;
  return {
    declarations: [
      ...f32Declarations([...rowMax(k), ...colMax(n)]),
      'fn bytes(q: vec4<i32>) -> u32 {',
      '  let b = vec4<u32>(q) & vec4<u32>(0xffu);',
      '  return b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);',
      '}',
      `fn wordA(e: u32, mx: f32) -> u32 { return bytes(levels(${four('A', lastA)}, vec4<f32>(mx), 127.0)); }`,
      `fn wordB(e: u32, mx: vec4<f32>) -> u32 { return bytes(levels(${four('B', lastB)}, mx, 127.0)); }`,
      '',
      `var<workgroup> rowMaxima: array<f32, ${rows}>;`,
      `var<workgroup> colMaxima: array<f32, ${cols}>;`,
      '',
    ],
    prologue: [
      `let tid = lid.y * ${g.workgroupX}u + lid.x;`,
      `for (var i = tid; i < ${rows}u; i += ${threads}u) { rowMaxima[i] = rowMax(min(tileRow + i, ${m - 1}u) * K); }`,
      `for (var i = tid; i < ${cols}u; i += ${threads}u) { colMaxima[i] = colMax(min(tileCol + i, ${n - 1}u), 0u, K); }`,
      'workgroupBarrier();',
      ...range(g.tm).map((r) => `let maxA${r} = rowMaxima[${r * g.workgroupY}u + lid.y];`),
      ...range(g.tn).map((c) => `let maxB${c} = vec4<f32>(${range(4).map((q) => `colMaxima[min(bcol${c} + ${q}u, ${n - 1}u) - tileCol]`).join(', ')});`),
    ],
    wordA: (r, e) => `wordA(${e}, maxA${r})`,
    wordB: (c, e) => `wordB(${e}, maxB${c})`,
    output: (r, c, q) => `f32(acc${r}_${c}[${q}]) * ((maxA${r} / 127.0) * (maxB${c}[${q}] / 127.0))`,
  };
}

/**
 * w4 through the w4 tile: B per column in groups of G along K to
 * round(x / max * 7) + 8 (scale max / 7, zero point 8; 8, a zero weight,
 * past K), the nibbles of a step packed low first as MatMulNBits lays them.
 * A column's group maximum is found at the step that starts the group (G is
 * a multiple of the tile's eight-k step) and kept for the group's steps.
 */
export function quantizedW4Source(s: W4Shape, tn: number): W4Source {
  const { n, k, group } = s;
  return {
    declarations: [
      ...f32Declarations(colMax(n)),
      'fn nibbles(col: u32, k0: u32, mx: f32) -> u32 {',
      `  let lo = levels(vec4<f32>(${range(4).map((i) => `B[min(k0 + ${i}u, ${k - 1}u) * ${n}u + col]`).join(', ')}), vec4<f32>(mx), 7.0);`,
      `  let hi = levels(vec4<f32>(${range(4).map((i) => `B[min(k0 + ${i + 4}u, ${k - 1}u) * ${n}u + col]`).join(', ')}), vec4<f32>(mx), 7.0);`,
      `  let l = vec4<u32>(select(lo + 8i, vec4<i32>(8i), vec4<u32>(k0) + vec4<u32>(0u, 1u, 2u, 3u) >= vec4<u32>(${k}u))) & vec4<u32>(15u);`,
      `  let h = vec4<u32>(select(hi + 8i, vec4<i32>(8i), vec4<u32>(k0) + vec4<u32>(4u, 5u, 6u, 7u) >= vec4<u32>(${k}u))) & vec4<u32>(15u);`,
      '  return l.x | (l.y << 4u) | (l.z << 8u) | (l.w << 12u) | (h.x << 16u) | (h.y << 20u) | (h.z << 24u) | (h.w << 28u);',
      '}',
      '',
    ],
    prologue: range(tn).flatMap((c) => range(4).map((q) => `var gmax${c}_${q} = 0.0;`)),
    column: (col, name, v, at) => [
      `if ((${at}) % ${group}u == 0u) { gmax${name} = colMax(${col}, ${at}, min(${at} + ${group}u, K)); }`,
      `let word${v} = nibbles(${col}, ${at}, gmax${name});`,
      `let scale${v} = gmax${name} / 7.0;`,
      `let zp${v} = 8.0;`,
    ],
  };
}
