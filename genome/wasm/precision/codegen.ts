import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { conversionFuncs } from '../f16/convert.ts';
import { inlineWat, inlineWorkspaceBytes } from '../int4/inline.ts';
import { packedWBytes, packWat, packWorkspaceBytes } from '../int4/pack.ts';
import type { Int4Kernel } from '../int4/problem.ts';
import { int8MatmulWat } from '../int8/codegen.ts';
import { int8WorkspaceBytes, packedB } from '../int8/layout.ts';
import { internalize, MEMORY_IMPORT, moduleFields } from '../wat.ts';
import type { MatmulPrecisionWasmGenome } from './genome.ts';
import { packedF16, paddedK, prepareF16Func, roundAFunc, tilesF16Func } from './f16.ts';
import { quantizeColumnsI8Func, quantizeRowsI8Func, quantizeW4Func, rescaleI8Func } from './quantize.ts';

const ALIGN = 64;

/** Byte regions of the workspace, each 64-byte aligned, in the order placed. */
function regions<const N extends string>(sizes: Record<N, number>): Record<N, number> & { bytes: number } {
  let cursor = 0;
  const at = {} as Record<N, number>;
  for (const name of Object.keys(sizes) as N[]) {
    at[name] = cursor;
    cursor = Math.ceil((cursor + sizes[name]) / ALIGN) * ALIGN;
  }
  return { ...at, bytes: cursor };
}

/** The same shape as an i8 problem: what the wrapped int8 kernel computes. */
export const i8Problem = (p: MatmulProblem): MatmulProblem => ({ op: 'matmul', shape: p.shape, dtype: 'i8' });
/** The same shape as a w4 problem of `group` (zero point 8): what the wrapped int4 kernel computes. */
export const w4Problem = (p: MatmulProblem, group: 32 | 64 | 128): MatmulProblem => ({ op: 'matmul', shape: p.shape, dtype: 'w4', group });
const int4Kernel = (p: MatmulProblem, group: number): Int4Kernel => ({ ...p.shape, group, dtype: 'w4', zeroPoints: false });

/**
 * i8, per call (the workspace): A quantized per row, its row scales, the i32
 * C, the int8 kernel's own workspace. At load (the packed region): B
 * quantized per column, its column scales, the int8 kernel's packed B.
 */
function i8Regions(p: MatmulProblem, g: Extract<MatmulPrecisionWasmGenome, { precision: 'i8' }>) {
  const { m, n, k } = p.shape;
  return {
    ws: regions({ qa: m * k, rowScales: 4 * m, acc: 4 * m * n, inner: int8WorkspaceBytes(i8Problem(p)) }),
    packed: regions({ qb: k * n, colScales: 4 * n, inner: packedB(g.kernel, i8Problem(p)).bytes }),
  };
}

/** w4, per call: the int4 kernel's own workspace. At load: B in MatMulNBits bytes, its scales [N, blocks], then (pack) the int4 kernel's f32 W. */
function w4Regions(p: MatmulProblem, g: Extract<MatmulPrecisionWasmGenome, { precision: 'w4' }>) {
  const kernel = int4Kernel(p, g.group);
  const layout = int4Layout(p.shape.n, p.shape.k, g.group);
  const inline = g.kernel.dequant === 'inline' ? g.kernel : null;
  return {
    ws: regions({ inner: inline ? inlineWorkspaceBytes(kernel, inline) : packWorkspaceBytes(kernel) }),
    packed: regions({ qb: p.shape.n * layout.blocks * (g.group / 2), scales: 4 * p.shape.n * layout.blocks, inner: inline ? 0 : packedWBytes(kernel) }),
  };
}

/** f16, per call: A rounded to f16 (as f32, x 2^112, rows padded). At load: B's f16 panels. */
function f16Regions(p: MatmulProblem, g: Extract<MatmulPrecisionWasmGenome, { precision: 'f16' }>) {
  return { ws: regions({ a: 4 * p.shape.m * paddedK(g.kernel, p.shape.k) }), packed: { bytes: packedF16(g.kernel, p.shape).bytes } };
}

function regionsOf(g: Exclude<MatmulPrecisionWasmGenome, { precision: 'f32' }>, p: MatmulProblem) {
  if (g.precision === 'i8') return i8Regions(p, g);
  if (g.precision === 'w4') return w4Regions(p, g);
  return f16Regions(p, g);
}

/** The bytes a quantized genome's kernel needs per call (workspace) and at load (packed region, B as its precision stores it). */
export function precisionBytes(g: Exclude<MatmulPrecisionWasmGenome, { precision: 'f32' }>, p: MatmulProblem): { workspace: number; packed: number } {
  const { ws, packed } = regionsOf(g, p);
  return { workspace: ws.bytes, packed: packed.bytes };
}

/**
 * An existing kernel's module with its exported entry renamed $inner (and
 * its load-time pack, if any, $inner_prepare) and `funcs` added: among them
 * a `prepare` entry (b, packed) that quantizes B, the user's weights, and
 * packs it as the inner kernel does at load, and the exported entry (a, b,
 * c, ws, packed) that quantizes A, calls $inner and converts back. The
 * inner kernel's text is its family's own codegen.
 */
function around(innerModule: string, funcs: readonly string[]): string {
  const inner = internalize(moduleFields(innerModule), 'matmul', '$inner');
  const body = inner.includes('(func (export "prepare")') ? internalize(inner, 'prepare', '$inner_prepare') : inner;
  return `(module\n  ${MEMORY_IMPORT}\n${body}\n${funcs.join('\n')})\n`;
}

const at = (base: string, offset: number) => `(i32.add (local.get $${base}) (i32.const ${offset}))`;
const ENTRY_PARAMS = '(param $a i32) (param $b i32) (param $c i32) (param $ws i32) (param $packed i32)';

/** Genome -> WAT for an f32 matmul (ABI a, b, c, ws, packed; prepare b, packed) at a quantized precision. Pure. */
export function precisionWat(g: Exclude<MatmulPrecisionWasmGenome, { precision: 'f32' }>, p: MatmulProblem): string {
  const { m, n, k } = p.shape;
  if (g.precision === 'i8') {
    const { ws, packed } = i8Regions(p, g);
    const prepare = `;; at load: B per column to symmetric int8, then the int8 kernel's own pack of it
(func (export "prepare") (param $b i32) (param $packed i32)
  (call $quantize_cols_i8 (local.get $b) ${at('packed', packed.qb)} ${at('packed', packed.colScales)})
  (call $inner_prepare ${at('packed', packed.qb)} ${at('packed', packed.inner)}))`;
    const entry = `;; per call: A per row to symmetric int8 (SIMD), the int8 kernel, C rescaled (SIMD)
(func (export "matmul") ${ENTRY_PARAMS}
  (call $quantize_rows_i8 (local.get $a) ${at('ws', ws.qa)} ${at('ws', ws.rowScales)})
  (call $inner ${at('ws', ws.qa)} ${at('packed', packed.qb)} ${at('ws', ws.acc)} ${at('ws', ws.inner)} ${at('packed', packed.inner)})
  (call $rescale_i8 ${at('ws', ws.acc)} ${at('ws', ws.rowScales)} ${at('packed', packed.colScales)} (local.get $c)))`;
    return around(int8MatmulWat(g.kernel, i8Problem(p)), [quantizeColumnsI8Func(n, k), quantizeRowsI8Func(m, k), rescaleI8Func(m, n), prepare, entry]);
  }
  if (g.precision === 'f16') {
    const { ws } = f16Regions(p, g);
    const flag = packedF16(g.kernel, p.shape).special;
    return `;; f16 storage, f32 math: B rounded to f16 and packed at load, A rounded to f16 per call, products summed in f32
(module
  ${MEMORY_IMPORT}
${[...conversionFuncs, prepareF16Func(g.kernel, p.shape), roundAFunc(g.kernel, p.shape), tilesF16Func(g.kernel, p.shape, false), tilesF16Func(g.kernel, p.shape, true)].join('\n')}
(func (export "prepare") (param $b i32) (param $packed i32)
  (call $prepare_f16 (local.get $b) (local.get $packed)))
(func (export "matmul") ${ENTRY_PARAMS}
  (call $round_a_f16 (local.get $a) ${at('ws', ws.a)})
  ;; the variant that widens Inf and NaN halves only where B has one
  (if (i32.load ${at('packed', flag)})
    (then (call $tiles_f16_special ${at('ws', ws.a)} (local.get $packed) (local.get $c)))
    (else (call $tiles_f16 ${at('ws', ws.a)} (local.get $packed) (local.get $c))))))
`;
  }
  const { ws, packed } = w4Regions(p, g);
  const kernel = int4Kernel(p, g.group);
  const inline = g.kernel.dequant === 'inline';
  const inner = g.kernel.dequant === 'inline' ? inlineWat(g.kernel, kernel) : packWat(g.kernel, kernel);
  const quantized = `${at('packed', packed.qb)} ${at('packed', packed.scales)}`;
  const prepare = `;; at load: B to 4 bits in MatMulNBits groups of ${g.group} along K${inline ? '' : ', then the int4 kernel\'s own dequantization of it'}
(func (export "prepare") (param $b i32) (param $packed i32)
  (call $quantize_w4 (local.get $b) ${quantized})${inline ? '' : `\n  (call $inner_prepare ${quantized} ${at('packed', packed.inner)})`})`;
  const entry = `;; per call: the int4 kernel on f32 A
(func (export "matmul") ${ENTRY_PARAMS}
  (call $inner (local.get $a) ${quantized} (local.get $c) ${at('ws', ws.inner)}${inline ? '' : ` ${at('packed', packed.inner)}`}))`;
  return around(inner, [quantizeW4Func(n, k, g.group), prepare, entry]);
}
