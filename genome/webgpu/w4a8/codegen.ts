import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { directTile, funnelLoad, genesText, indent, kSteps, ownedIndices, range } from '../direct/genes.ts';
import type { W4Kernel, W4Shape } from '../w4/codegen.ts';
import type { MatmulW4a8WebgpuGenome } from './genome.ts';

/** The w4a8 problem as the kernel sees it: w4's shape and group, no zero points. */
export type W4a8Shape = Omit<W4Shape, 'zeroPoint'>;
export type W4a8Kernel = W4Kernel;

/**
 * Bindings in ABI order (ONNX's MatMulIntegerToFloat): A (i8, four a word),
 * B (nibbles, eight a word: a column's padded row of blocks * G nibbles is
 * G/8 whole words per group), a_scales f32, scales f32, C f32.
 */
export function w4a8Bindings(): string[] {
  const names: [string, string][] = [
    ['A', 'u32'],
    ['B', 'u32'],
    ['a_scales', 'f32'],
    ['scales', 'f32'],
  ];
  return [
    ...names.map(([name, type], i) => `@group(0) @binding(${i}) var<storage, read> ${name}: array<${type}>;`),
    `@group(0) @binding(${names.length}) var<storage, read_write> C: array<f32>;`,
  ];
}

/** Four signed nibbles, one in the low half of each byte, sign-extended to four i8 (bit 3 set: the high half becomes 0xf). */
const signExtended = (bytes: string) => `(${bytes} | ((${bytes} & 0x08080808u) * 0x1eu))`;

/**
 * Thread (tx, ty) owns rows tileRow + r*WY + ty and columns tileCol +
 * (c*WX + tx)*4 .. +3. Each step of eight k (inside one group: G is a
 * multiple of 8) loads per row two words of A (eight bytes; unaligned rows
 * funnel-shifted from neighbours) and per column one word of B (eight
 * nibbles), and adds their exact i32 products; a step that ends a group
 * scales the group's sums into the f32 accumulators, and a partial last
 * group is scaled after the loop. The row scale multiplies once, at the
 * store. The K tail masks A's missing bytes to zero, so the padding nibbles
 * (anything) add nothing. Columns past N read column N-1 and are not stored.
 */
export function matmulW4a8Wgsl(g: MatmulW4a8WebgpuGenome, s: W4a8Shape): W4a8Kernel {
  const { m: M, n: N, k: K, group: G } = s;
  const blocks = int4Layout(N, K, G).blocks;
  const columns = range(g.tn).flatMap((c) => range(4).map((q) => [c, q] as const));
  const tiles = range(g.tm).flatMap((r) => range(g.tn).map((c) => [r, c] as const));
  const loadA = (e: string) => (K % 4 === 0 ? `A[(${e}) >> 2u]` : `loadA(${e})`);
  const mask = (bytes: number) => (bytes >= 4 ? '' : ` & 0x${(2 ** (8 * bytes) - 1).toString(16)}u`);
  const scaleGroup = (grp: string) => [
    ...range(g.tn).map((c) => `let scale${c} = vec4<f32>(${range(4).map((q) => `scales[bcol${c}_${q} * ${blocks}u + ${grp}]`).join(', ')});`),
    ...tiles.flatMap(([r, c]) => [`facc${r}_${c} += vec4<f32>(iacc${r}_${c}) * scale${c};`, `iacc${r}_${c} = vec4<i32>(0);`]),
  ];
  const step = (at: string, tag: string, count: number): string[] => [
    ...range(g.tm).flatMap((r) => [
      `let alo${r}${tag} = ${loadA(`arow${r} + ${at}`)}${mask(count)};`,
      `let ahi${r}${tag} = ${count > 4 ? `${loadA(`arow${r} + ${at} + 4u`)}${mask(count - 4)}` : '0u'};`,
    ]),
    ...columns.map(([c, q]) => `let word${c}_${q}${tag} = B[bcol${c}_${q} * ${(blocks * G) / 8}u + (${at}) / 8u];`),
    ...(g.instruction === 'dot4' ? dot4Products(g, tag) : bitsProducts(g, tag, count)),
    ...(count === 8 ? [`if ((${at} + 8u) % ${G}u == 0u) {`, ...scaleGroup(`(${at}) / ${G}u`).map(indent(1)), '}'] : []),
  ];
  const lines = [
    `// kevo matmul w4a8 ${M}x${N}x${K} group ${G}: C f32 = a_scales x int8 A x (signed 4-bit B x scales) (ORT MatMulNBits layout), ${genesText(g)}`,
    `const M = ${M}u;`,
    `const N = ${N}u;`,
    `const K = ${K}u;`,
    '',
    ...w4a8Bindings(),
    '',
    ...(K % 4 === 0 ? [] : funnelLoad('A', Math.ceil((M * K) / 4), 8)),
    `@compute @workgroup_size(${g.workgroupX}, ${g.workgroupY}, 1)`,
    'fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {',
    ...[
      ...ownedIndices(g, M),
      ...columns.map(([c, q]) => `let bcol${c}_${q} = min(col${c} + ${q}u, ${N - 1}u);`),
      ...tiles.flatMap(([r, c]) => [`var iacc${r}_${c} = vec4<i32>(0);`, `var facc${r}_${c} = vec4<f32>(0.0);`]),
      ...kSteps(K, 8, g.unroll, step),
      ...(K % G === 0 ? [] : ['{', ...scaleGroup(`${blocks - 1}u`).map(indent(1)), '}']),
      ...range(g.tm).flatMap((r) => [
        `if (row${r} < M) {`,
        `  let rowScale = a_scales[row${r}];`,
        ...range(g.tn).flatMap((c) => range(4).map((q) => `  if (col${c} + ${q}u < N) { C[row${r} * N + col${c} + ${q}u] = facc${r}_${c}[${q}] * rowScale; }`)),
        '}',
      ]),
    ].map(indent(1)),
    '}',
    '',
  ];
  return { wgsl: lines.join('\n'), workgroupSize: [g.workgroupX, g.workgroupY, 1], tile: directTile(g) };
}

/**
 * dot4: a word of B holds k 0..7 of a column as nibbles; its even k (w &
 * 0x0f0f0f0f) and odd k ((w >> 4) & 0x0f0f0f0f) sign-extend to two words of
 * bytes, so A's eight bytes are regrouped per row the same way: even k, odd k.
 */
function dot4Products(g: MatmulW4a8WebgpuGenome, tag: string): string[] {
  return [
    ...range(g.tm).flatMap((r) => [
      `let aeven${r}${tag} = (alo${r}${tag} & 0xffu) | ((alo${r}${tag} >> 8u) & 0xff00u) | ((ahi${r}${tag} << 16u) & 0xff0000u) | ((ahi${r}${tag} << 8u) & 0xff000000u);`,
      `let aodd${r}${tag} = ((alo${r}${tag} >> 8u) & 0xffu) | ((alo${r}${tag} >> 16u) & 0xff00u) | ((ahi${r}${tag} << 8u) & 0xff0000u) | (ahi${r}${tag} & 0xff000000u);`,
    ]),
    ...range(g.tn).flatMap((c) =>
      range(4).flatMap((q) => {
        const w = `word${c}_${q}${tag}`;
        return [`let beven${c}_${q}${tag} = ${signExtended(`(${w} & 0x0f0f0f0fu)`)};`, `let bodd${c}_${q}${tag} = ${signExtended(`((${w} >> 4u) & 0x0f0f0f0fu)`)};`];
      }),
    ),
    ...range(g.tm).flatMap((r) =>
      range(g.tn).map(
        (c) =>
          `iacc${r}_${c} += vec4<i32>(${range(4).map((q) => `dot4I8Packed(aeven${r}${tag}, beven${c}_${q}${tag}) + dot4I8Packed(aodd${r}${tag}, bodd${c}_${q}${tag})`).join(', ')});`,
      ),
    ),
  ];
}

/** bits: A's bytes and B's nibbles sign-extended by extractBits on i32 (four columns' nibbles at once, as a vec4), an outer product per k. */
function bitsProducts(g: MatmulW4a8WebgpuGenome, tag: string, count: number): string[] {
  const aByte = (r: number, t: number) => `extractBits(bitcast<i32>(${t < 4 ? 'alo' : 'ahi'}${r}${tag}), ${8 * (t % 4)}u, 8u)`;
  return [
    ...range(g.tn).map((c) => `let words${c}${tag} = bitcast<vec4<i32>>(vec4<u32>(${range(4).map((q) => `word${c}_${q}${tag}`).join(', ')}));`),
    ...range(g.tm).flatMap((r) => range(count).map((t) => `let a${r}_${t}${tag} = ${aByte(r, t)};`)),
    ...range(g.tn).flatMap((c) => range(count).map((t) => `let q${c}_${t}${tag} = extractBits(words${c}${tag}, ${4 * t}u, 4u);`)),
    ...range(g.tm).flatMap((r) =>
      range(g.tn).map((c) => `iacc${r}_${c} += ${range(count).map((t) => `a${r}_${t}${tag} * q${c}_${t}${tag}`).join(' + ')};`),
    ),
  ];
}
