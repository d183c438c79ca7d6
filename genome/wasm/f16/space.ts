import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { relabelledSpace, type SearchSpace } from '../../space.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { wasmMatmulSpace, type WasmCaps } from '../space.ts';
import { f32Problem, f32Twin } from './codegen.ts';
import { MatmulF16WasmGenome } from './genome.ts';

/**
 * The f32 kernel's genes for the same shape (../space.ts: its register
 * budget, blocks and seeds), each genome renamed to the f16 family: the
 * conversions around the kernel have no genes of their own.
 */
export function wasmF16Space(problem: MatmulProblem, caps: WasmCaps): SearchSpace<MatmulF16WasmGenome> {
  return relabelledSpace(wasmMatmulSpace(f32Problem(problem), caps), {
    name: 'matmul/wasm f16',
    schema: MatmulF16WasmGenome,
    outer: (g: MatmulWasmGenome): MatmulF16WasmGenome => {
      const { family: _tiled, epilogue: _none, ...genes } = g;
      return { ...genes, op: 'matmul', family: 'f16' };
    },
    inner: f32Twin,
  });
}
