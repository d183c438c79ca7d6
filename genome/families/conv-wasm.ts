import { convOps } from '../ops/conv/ops.ts';
import type { ConvOpName, ConvProblem } from '../ops/conv/problem.ts';
import type { Op } from '../ops/op.ts';
import { wasmConvSpace } from '../wasm/conv/algorithms.ts';
import { convWat } from '../wasm/conv/codegen.ts';
import { convGemmWat, gemmPrepare, gemmWorkspace, loweringOf } from '../wasm/conv/gemm.ts';
import { convWasmGenome, isGemm, isImplicit, type ConvWasmGenome } from '../wasm/conv/genome.ts';
import { convImplicitWat, implicitPrepare, implicitWorkspace } from '../wasm/conv/implicit.ts';
import { planOf, workspaceFloats } from '../wasm/conv/plan.ts';
import { baselineGenes } from '../wasm/conv/space.ts';
import { wasmLaunch } from './abi.ts';
import { defineFamily, type KernelFamily } from './family.ts';

function code(genome: ConvWasmGenome, problem: ConvProblem) {
  const plan = planOf(problem);
  if (isGemm(genome)) {
    const lowering = loweringOf(plan, problem);
    return { language: 'wat' as const, text: convGemmWat(genome, problem), launch: wasmLaunch(problem, gemmWorkspace(plan, lowering).bytes, gemmPrepare(genome, lowering)) };
  }
  if (isImplicit(genome)) return { language: 'wat' as const, text: convImplicitWat(genome, problem), launch: wasmLaunch(problem, implicitWorkspace(plan).bytes, implicitPrepare(genome, plan)) };
  return { language: 'wat' as const, text: convWat(genome, problem), launch: wasmLaunch(problem, 4 * workspaceFloats(plan)) };
}

function describe(g: ConvWasmGenome): string {
  if (isGemm(g) || isImplicit(g)) return `${isGemm(g) ? 'im2col + GEMM' : 'implicit GEMM'}: ${g.mr}x${g.nr} tile, k unroll ${g.kUnroll}, blocks ${g.mc}/${g.kc}/${g.nc} ${g.loopOrder}${g.packA ? ', packA' : ''}${g.packB === 'load' ? ', weights packed at load' : g.packB ? ', weights packed' : ''}${g.fma ? ', fma' : ''}`;
  return `${g.tile}x${g.vectors} tile, unroll ${g.unroll}, ${g.order} outermost${g.fma ? ', fma' : ''}`;
}

/**
 * The six convolution ops on WASM SIMD, one family each (name `direct`, as
 * genomes were stored before the algorithm became a gene): the direct
 * codegen (genome/wasm/conv/) for every op, im2col + GEMM through the
 * matmul kernel for the three dense ops, and implicit GEMM (the same kernel
 * reading the image in place) for conv2d and conv2d-bwd-data. The baseline is the direct
 * codegen's plainest kernel: one output row by one f32x4 a micro-kernel
 * call, mul + add.
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
    describe,
  });
}

export const convWasmFamilies: readonly KernelFamily[] = convOps.map((op: Op<ConvProblem>) => convWasm(op));
