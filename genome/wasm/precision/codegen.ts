import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { matmulWat } from '../codegen.ts';
import { inlineWat, inlineWorkspaceBytes } from '../int4/inline.ts';
import { packedWBytes, packWat, packWorkspaceBytes } from '../int4/pack.ts';
import type { Int4Kernel } from '../int4/problem.ts';
import { int8MatmulWat } from '../int8/codegen.ts';
import { int8WorkspaceBytes, packedB } from '../int8/layout.ts';
import type { MatmulPrecisionWasmGenome } from './genome.ts';
import { quantizeI8Func, quantizeW4Func, rescaleI8Func } from './quantize.ts';

const ALIGN = 64;
const ENTRY = '(func (export "matmul")';
const PREPARE = '(func (export "prepare")';
const HEAD = '(import "env" "memory" (memory 1))';

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
 * i8: quantized A [M, K] and B [K, N] bytes, their per-row and per-column
 * scales, the i32 C, the int8 kernel's own workspace, then the region its
 * load-time pack fills (here every call: B is the user's f32 input).
 */
function i8Workspace(p: MatmulProblem, g: Extract<MatmulPrecisionWasmGenome, { precision: 'i8' }>) {
  const { m, n, k } = p.shape;
  return regions({ qa: m * k, qb: k * n, rowScales: 4 * m, colScales: 4 * n, acc: 4 * m * n, inner: int8WorkspaceBytes(i8Problem(p)), packed: packedB(g.kernel, i8Problem(p)).bytes });
}

/** w4: B in MatMulNBits bytes, its scales [N, blocks], the int4 kernel's own workspace, then its load-time region (the pack path's f32 W). */
function w4Workspace(p: MatmulProblem, g: Extract<MatmulPrecisionWasmGenome, { precision: 'w4' }>) {
  const kernel = int4Kernel(p, g.group);
  const layout = int4Layout(p.shape.n, p.shape.k, g.group);
  const inline = g.kernel.dequant === 'inline' ? g.kernel : null;
  const inner = inline ? inlineWorkspaceBytes(kernel, inline) : packWorkspaceBytes(kernel);
  return regions({ qb: p.shape.n * layout.blocks * (g.group / 2), scales: 4 * p.shape.n * layout.blocks, inner, packed: inline ? 0 : packedWBytes(kernel) });
}

/** The workspace bytes a genome's kernel needs (the launch asks for them). */
export function precisionWorkspaceBytes(g: MatmulPrecisionWasmGenome, p: MatmulProblem): number | undefined {
  if (g.precision === 'i8') return i8Workspace(p, g).bytes;
  if (g.precision === 'w4') return w4Workspace(p, g).bytes;
  return undefined;
}

/**
 * An existing kernel's module with its exported entry renamed $inner (and
 * its load-time pack, if any, $inner_prepare) and `funcs` added: the new
 * exported entry among them quantizes, packs what the inner kernel packs at
 * load (B is quantized from the user's f32 every call, so its pack is too),
 * calls $inner and converts back. The inner kernel's text is its family's own codegen.
 */
function around(innerModule: string, funcs: readonly string[]): string {
  const start = innerModule.indexOf(HEAD);
  const end = innerModule.lastIndexOf(')');
  if (start < 0 || end < 0 || innerModule.split(ENTRY).length !== 2) throw new Error('the inner kernel has no single exported matmul entry to wrap');
  const body = innerModule.slice(start + HEAD.length, end).replace(ENTRY, '(func $inner').replace(PREPARE, '(func $inner_prepare');
  return `(module\n  ${HEAD}\n${body}\n${funcs.join('\n')})\n`;
}

/** Genome -> WAT for an f32 matmul (ABI a, b, c, ws) at the genome's precision. Pure. */
export function precisionWat(g: MatmulPrecisionWasmGenome, p: MatmulProblem): string {
  const { m, n, k } = p.shape;
  if (g.precision === 'f32') return matmulWat(g.kernel, p);
  const at = (offset: number) => `(i32.add (local.get $ws) (i32.const ${offset}))`;
  if (g.precision === 'i8') {
    const ws = i8Workspace(p, g);
    const entry = `;; f32 in, f32 out: A per row and B per column to symmetric int8, the int8 kernel, C rescaled
(func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)
  (call $quantize_i8 (local.get $a) ${at(ws.qa)} ${at(ws.rowScales)} (i32.const ${m}) (i32.const ${k}) (i32.const ${k}) (i32.const 1))
  (call $quantize_i8 (local.get $b) ${at(ws.qb)} ${at(ws.colScales)} (i32.const ${n}) (i32.const ${k}) (i32.const 1) (i32.const ${n}))
  (call $inner_prepare ${at(ws.qb)} ${at(ws.packed)})
  (call $inner ${at(ws.qa)} ${at(ws.qb)} ${at(ws.acc)} ${at(ws.inner)} ${at(ws.packed)})
  (call $rescale_i8 ${at(ws.acc)} ${at(ws.rowScales)} ${at(ws.colScales)} (local.get $c)))`;
    return around(int8MatmulWat(g.kernel, i8Problem(p)), [quantizeI8Func, rescaleI8Func(m, n), entry]);
  }
  const ws = w4Workspace(p, g);
  const kernel = int4Kernel(p, g.group);
  const inner = g.kernel.dequant === 'inline' ? inlineWat(g.kernel, kernel) : packWat(g.kernel, kernel);
  const entry = `;; f32 in, f32 out: B to 4 bits in MatMulNBits groups of ${g.group} along K, then the int4 kernel on f32 A
(func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)
  (call $quantize_w4 (local.get $b) ${at(ws.qb)} ${at(ws.scales)})${
    g.kernel.dequant === 'inline'
      ? `
  (call $inner (local.get $a) ${at(ws.qb)} ${at(ws.scales)} (local.get $c) ${at(ws.inner)}))`
      : `
  (call $inner_prepare ${at(ws.qb)} ${at(ws.scales)} ${at(ws.packed)})
  (call $inner (local.get $a) ${at(ws.qb)} ${at(ws.scales)} (local.get $c) ${at(ws.inner)} ${at(ws.packed)}))`
  }`;
  return around(inner, [quantizeW4Func(n, k, g.group), entry]);
}
