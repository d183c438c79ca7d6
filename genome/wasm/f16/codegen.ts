import type { MatmulProblem, MatmulShape } from '../../ops/matmul-problem.ts';
import { baselineWat } from '../baseline.ts';
import { matmulWat, type EntryWrap } from '../codegen.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { conversionFuncs } from './convert.ts';
import type { MatmulF16WasmGenome } from './genome.ts';

const ALIGN = 64;

/**
 * Where the f32 copies live in the workspace (byte offsets from it, 64-byte
 * aligned): A and B widened, C before narrowing, then the f32 kernel's own
 * packing workspace (as large as its inputs).
 */
export function f16Workspace({ m, n, k }: MatmulShape): { a: number; b: number; c: number; inner: number; bytes: number } {
  let cursor = 0;
  const place = (bytes: number) => {
    const at = cursor;
    cursor = Math.ceil((cursor + bytes) / ALIGN) * ALIGN;
    return at;
  };
  const a = place(4 * m * k);
  const b = place(4 * k * n);
  const c = place(4 * m * n);
  const inner = place(4 * (m * k + k * n));
  return { a, b, c, inner, bytes: cursor };
}

/** The f32 kernel of the same genes, for the same shape. */
export function f32Twin(g: MatmulF16WasmGenome): MatmulWasmGenome {
  return { ...g, family: 'tiled' };
}

/**
 * Around an f32 kernel (entry $matmulF32, not exported): an exported entry
 * that takes the f16 ABI (a, b, c, ws), widens A and B into the workspace,
 * multiplies in f32 and narrows C.
 */
export function f16Wrap({ m, n, k }: MatmulShape): EntryWrap {
  const ws = f16Workspace({ m, n, k });
  const at = (offset: number) => `(i32.add (local.get $ws) (i32.const ${offset}))`;
  const entry = `;; f16 storage: A, B widened to f32 in the workspace, the f32 kernel above, C narrowed to f16 (RNE)
(func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)
  (call $widen (local.get $a) ${at(ws.a)} (i32.const ${m * k}))
  (call $widen (local.get $b) ${at(ws.b)} (i32.const ${k * n}))
  (call $matmulF32 ${at(ws.a)} ${at(ws.b)} ${at(ws.c)} ${at(ws.inner)})
  (call $narrow ${at(ws.c)} (local.get $c) (i32.const ${m * n})))`;
  return { entry: '$matmulF32', funcs: [...conversionFuncs, entry] };
}

/** The same problem over f32 tensors: what the wrapped kernel computes. */
export const f32Problem = (problem: MatmulProblem): MatmulProblem => ({ ...problem, dtype: 'f32' });

export function matmulF16Wat(g: MatmulF16WasmGenome, problem: MatmulProblem): string {
  return matmulWat(f32Twin(g), f32Problem(problem), f16Wrap(problem.shape));
}

/** The f32 baseline (i-k-j, f32x4 rows) between the same conversions: fixed, as every baseline. */
export function baselineF16Wat(problem: MatmulProblem): string {
  return baselineWat(f32Problem(problem), f16Wrap(problem.shape));
}
