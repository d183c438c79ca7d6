import { convOps } from '../ops/conv/ops.ts';
import type { ConvOpName, ConvProblem } from '../ops/conv/problem.ts';
import type { Op } from '../ops/op.ts';
import { convWat } from '../wasm/conv/codegen.ts';
import { convWasmGenome, type ConvWasmGenome } from '../wasm/conv/genome.ts';
import { planOf, workspaceFloats } from '../wasm/conv/plan.ts';
import { baselineGenes, wasmConvSpace } from '../wasm/conv/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily, type KernelFamily } from './family.ts';

const code = (genome: ConvWasmGenome, problem: ConvProblem) => ({ language: 'wat' as const, text: convWat(genome, problem), launch: wasmLaunch(problem, 4 * workspaceFloats(planOf(problem))) });

/**
 * The six convolution ops on WASM SIMD, one family each over the shared
 * direct-convolution codegen (genome/wasm/conv/). The baseline is that
 * codegen's plainest kernel: direct loops, one output row by one f32x4 a
 * micro-kernel call, mul + add.
 */
function convWasm(op: Op<ConvProblem>): KernelFamily {
  return defineFamily({
    op,
    backend: 'wasm',
    name: 'direct',
    genome: convWasmGenome(op.name as ConvOpName),
    space: (problem, device) => wasmConvSpace(problem, { relaxedSimd: device.facts.backend === 'wasm' && device.facts.relaxedSimd }),
    codegen: code,
    baseline: (problem) => code({ op: problem.op, backend: 'wasm', family: 'direct', ...baselineGenes }, problem),
    precision: (genome) => (genome.fma ? 'f32-fma' : 'f32'),
    unsupported: (genome, device) =>
      genome.fma && !(device.facts.backend === 'wasm' && device.facts.relaxedSimd)
        ? 'the genome uses f32x4.relaxed_madd (fma) but relaxed SIMD is off on this worker (start it with relaxed SIMD enabled)'
        : null,
    describe: (g) => `${g.tile}x${g.vectors} tile, unroll ${g.unroll}, ${g.order} outermost${g.fma ? ', fma' : ''}`,
  });
}

export const convWasmFamilies: readonly KernelFamily[] = convOps.map((op: Op<ConvProblem>) => convWasm(op));
