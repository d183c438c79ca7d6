import { convOps } from '../ops/conv/ops.ts';
import type { ConvOpName, ConvProblem } from '../ops/conv/problem.ts';
import type { Op } from '../ops/op.ts';
import { convI16Wat } from '../wasm/conv-i16/codegen.ts';
import { convI16WasmGenome, type ConvI16WasmGenome } from '../wasm/conv-i16/genome.ts';
import { layoutOf, workspaceBytes } from '../wasm/conv-i16/layout.ts';
import { i16BaselineGenes, wasmConvI16Space } from '../wasm/conv-i16/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily, type KernelFamily } from './family.ts';

const code = (genome: ConvI16WasmGenome, problem: ConvProblem) => ({
  language: 'wat' as const,
  text: convI16Wat(genome, problem),
  launch: wasmLaunch(problem, workspaceBytes(layoutOf(problem, genome.instruction === 'dot16'))),
});

/**
 * The six convolutions with i16 (dynamic fixed point) operands on WASM SIMD,
 * exact i32 outputs (genome/wasm/conv-i16/). The baseline is that codegen's
 * plainest kernel: one row by 8 channels a micro-kernel call, extmul.
 */
function convInt16Wasm(op: Op<ConvProblem>): KernelFamily {
  return defineFamily({
    op,
    backend: 'wasm',
    name: 'int16',
    dtypes: ['i16'],
    genome: convI16WasmGenome(op.name as ConvOpName),
    space: (problem) => wasmConvI16Space(problem),
    codegen: code,
    baseline: (problem) => code({ op: problem.op, backend: 'wasm', family: 'int16', ...i16BaselineGenes }, problem),
    // Integer outputs are exact: the precision only names the error model, which ints ignore.
    precision: () => 'f32',
    unsupported: () => null,
    describe: (g) => `${g.tile}x${g.vectors} tile (8 channels a vector), ${g.instruction}, unroll ${g.unroll}`,
  });
}

export const convInt16WasmFamilies: readonly KernelFamily[] = convOps.map((op: Op<ConvProblem>) => convInt16Wasm(op));
