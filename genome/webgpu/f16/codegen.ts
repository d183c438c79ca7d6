import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { directTile, genesText, indent, kSteps, ownedIndices, range } from '../direct/genes.ts';
import { needsShaderF16, type MatmulF16WebgpuGenome } from './genome.ts';

export interface F16Kernel {
  readonly wgsl: string;
  readonly workgroupSize: [number, number, number];
  readonly tile: { rows: number; cols: number };
}

/**
 * Thread (tx, ty) owns rows tileRow + r*WY + ty and the column groups
 * tileCol + (c*WX + tx)*4 .. +3, accumulating vec4s of the compute
 * precision; every k, one A element per row and four B columns per group.
 * Loads clamp into the tensor; clamped rows and columns are computed and
 * dropped. Packed storage with an odd N puts two rows' halves in one word of
 * C: those halves are written with atomicAnd/atomicOr, each touching only its
 * own 16 bits, so neighbouring threads never undo each other's store.
 */
export function matmulF16Wgsl(g: MatmulF16WebgpuGenome, { m: M, n: N, k: K }: MatmulShape): F16Kernel {
  const T = g.precision;
  const ctx: Ctx = { g, M, N, K, T };
  const lines = [
    `// kevo matmul f16 ${M}x${N}x${K}: C[M,N] = A[M,K] x B[K,N], all f16, ${genesText(g)}`,
    ...(needsShaderF16(g) ? ['enable f16;'] : []),
    '',
    `const M = ${M}u;`,
    `const N = ${N}u;`,
    `const K = ${K}u;`,
    '',
    ...f16Bindings(g.storage, N),
    '',
    ...(g.storage === 'packed' ? packedHelpers(ctx) : []),
    `@compute @workgroup_size(${g.workgroupX}, ${g.workgroupY}, 1)`,
    'fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    ...[
      ...ownedIndices(g, M),
      ...range(g.tn).map((c) => `let bcol${c} = ${N % 4 === 0 ? `min(col${c}, ${N - 4}u)` : `min(col${c}, ${N - 1}u)`};`),
      ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `var acc${r}_${c} = vec4<${T}>(0.0);`)),
      ...kSteps(K, 1, g.unroll, (at, tag) => step(ctx, at, tag)),
      ...stores(ctx),
    ].map(indent(1)),
    '}',
    '',
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [g.workgroupX, g.workgroupY, 1], tile: directTile(g) };
}

interface Ctx {
  readonly g: MatmulF16WebgpuGenome;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  readonly T: 'f32' | 'f16';
}


/**
 * A, B, C in ABI order. f16 storage binds B and C as vec4<f16> when N is a
 * multiple of 4 (every row starts on a vector); packed storage binds u32
 * words, C atomic when N is odd (a word then spans two threads' columns).
 */
export function f16Bindings(storage: MatmulF16WebgpuGenome['storage'], n: number): string[] {
  const wide = n % 4 === 0;
  const [a, b, c] =
    storage === 'f16'
      ? ['array<f16>', wide ? 'array<vec4<f16>>' : 'array<f16>', wide ? 'array<vec4<f16>>' : 'array<f16>']
      : ['array<u32>', 'array<u32>', n % 2 === 0 ? 'array<u32>' : 'array<atomic<u32>>'];
  return [
    `@group(0) @binding(0) var<storage, read> A: ${a};`,
    `@group(0) @binding(1) var<storage, read> B: ${b};`,
    `@group(0) @binding(2) var<storage, read_write> C: ${c};`,
  ];
}

/** Words of packed A/B: half e of a tensor, and four halves from e on (e even when N is even, since groups start at multiples of 4). */
function packedHelpers({ N, K }: Ctx): string[] {
  const lastB = Math.ceil((K * N) / 2) - 1;
  return [
    'fn halfA(e: u32) -> f32 { return unpack2x16float(A[e >> 1u])[e & 1u]; }',
    'fn quadB(e: u32) -> vec4<f32> {',
    '  let w = e >> 1u;',
    `  let x = unpack2x16float(B[w]);`,
    `  let y = unpack2x16float(B[min(w + 1u, ${lastB}u)]);`,
    ...(N % 2 === 0
      ? ['  return vec4<f32>(x, y);']
      : [`  let z = unpack2x16float(B[min(w + 2u, ${lastB}u)]);`, '  return select(vec4<f32>(x, y), vec4<f32>(x.y, y, z.x), (e & 1u) == 1u);']),
    '}',
    ...(N % 2 === 0
      ? []
      : [
          // Clear our half, then or our bits in: atomic per op, and the other half's owner touches only its own bits.
          'fn storeHalf(e: u32, v: f32) {',
          '  let shift = (e & 1u) * 16u;',
          '  atomicAnd(&C[e >> 1u], ~(0xffffu << shift));',
          '  atomicOr(&C[e >> 1u], (pack2x16float(vec2<f32>(v, 0.0)) & 0xffffu) << shift);',
          '}',
        ]),
    '',
  ];
}

function step({ g, N, K, T }: Ctx, at: string, tag: string): string[] {
  const convert = (type: string, expr: string, from: string) => (type === from ? expr : `${type}(${expr})`);
  const loadA = (r: number) =>
    g.storage === 'f16' ? convert(T, `A[arow${r} + ${at}]`, 'f16') : convert(T, `halfA(arow${r} + ${at})`, 'f32');
  const loadB = (c: number) => {
    const e = `(${at}) * N + bcol${c}`;
    if (g.storage === 'packed') return convert(`vec4<${T}>`, `quadB(${e})`, 'vec4<f32>');
    if (N % 4 === 0) return convert(`vec4<${T}>`, `B[(${e}) / 4u]`, 'vec4<f16>');
    const lanes = range(4).map((q) => `B[min(${e} + ${q}u, ${K * N - 1}u)]`);
    return convert(`vec4<${T}>`, `vec4<f16>(${lanes.join(', ')})`, 'vec4<f16>');
  };
  return [
    ...range(g.tm).map((r) => `let a${r}${tag} = ${loadA(r)};`),
    ...range(g.tn).map((c) => `let b${c}${tag} = ${loadB(c)};`),
    ...range(g.tm).flatMap((r) => range(g.tn).map((c) => `acc${r}_${c} += a${r}${tag} * b${c}${tag};`)),
  ];
}

/** C's elements of each owned row and group: f16 vectors or halves, packed words, or atomic halves (odd N, packed). */
function stores({ g, N, T }: Ctx): string[] {
  const acc = (r: number, c: number) => `acc${r}_${c}`;
  const lanes = (r: number, c: number, type: string) => (T === 'f32' ? acc(r, c) : `${type}(${acc(r, c)})`);
  const perGroup = (r: number, c: number): string[] => {
    const at = `row${r} * N + col${c}`;
    if (g.storage === 'f16') {
      const v = T === 'f16' ? acc(r, c) : `vec4<f16>(${acc(r, c)})`;
      if (N % 4 === 0) return [`if (col${c} < N) { C[(${at}) / 4u] = ${v}; }`];
      return range(4).map((q) => `if (col${c} + ${q}u < N) { C[${at} + ${q}u] = ${v}[${q}]; }`);
    }
    const v = lanes(r, c, 'vec4<f32>');
    if (N % 2 === 0) {
      return [
        `if (col${c} < N) { C[(${at}) / 2u] = pack2x16float(${v}.xy); }`,
        `if (col${c} + 2u < N) { C[(${at}) / 2u + 1u] = pack2x16float(${v}.zw); }`,
      ];
    }
    return range(4).map((q) => `if (col${c} + ${q}u < N) { storeHalf(${at} + ${q}u, ${v}[${q}]); }`);
  };
  return range(g.tm).flatMap((r) => [`if (row${r} < M) {`, ...range(g.tn).flatMap((c) => perGroup(r, c)).map(indent(1)), '}']);
}
