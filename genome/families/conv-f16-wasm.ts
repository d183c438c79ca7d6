import { convOps } from '../ops/conv/ops.ts';
import type { ConvOpName, ConvProblem } from '../ops/conv/problem.ts';
import type { Op } from '../ops/op.ts';
import { convF16Wat, convF16WasmGenome, convF16WorkspaceBytes, wasmConvF16Space, type ConvF16WasmGenome } from '../wasm/conv/f16.ts';
import { baselineGenes } from '../wasm/conv/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily, type KernelFamily } from './family.ts';

const code = (genome: ConvF16WasmGenome, problem: ConvProblem) => ({ language: 'wat' as const, text: convF16Wat(genome, problem), launch: wasmLaunch(problem, convF16WorkspaceBytes(problem)) });

/**
 * The six convolutions over f16 tensors on WASM SIMD: the f32 direct kernel
 * between SIMD conversions (genome/wasm/conv/f16.ts). The baseline is the f32
 * baseline between the same conversions.
 */
function convF16Wasm(op: Op<ConvProblem>): KernelFamily {
  return defineFamily({
    op,
    backend: 'wasm',
    name: 'f16',
    dtypes: ['f16'],
    genome: convF16WasmGenome(op.name as ConvOpName),
    space: (problem, device) => wasmConvF16Space(problem, { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }),
    codegen: code,
    baseline: (problem) => code({ op: problem.op, backend: 'wasm', family: 'f16', ...baselineGenes }, problem),
    precision: (genome) => (genome.fma ? 'f32-fma' : 'f32'),
    unsupported: (genome, device) =>
      genome.fma && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd) ? 'the genome uses f32x4.relaxed_madd (fma) but relaxed SIMD is off on this worker' : null,
    describe: (g) => `f16 storage, f32 math: ${g.tile}x${g.vectors} tile, unroll ${g.unroll}, ${g.order} outermost${g.fma ? ', fma' : ''}`,
  });
}

export const convF16WasmFamilies: readonly KernelFamily[] = convOps.map((op: Op<ConvProblem>) => convF16Wasm(op));
