import { z } from 'zod';
import { convOps } from '../../ops/conv/ops.ts';
import type { ConvOpName, ConvProblem } from '../../ops/conv/problem.ts';
import type { Op, TensorSpec } from '../../ops/op.ts';
import { relabelledSpace, type SearchSpace } from '../../space.ts';
import { f16Wrap, f16Workspace, type F16Sizes } from '../f16/wrap.ts';
import type { WasmCaps } from '../space.ts';
import { convWat } from './codegen.ts';
import { convDirectGenome, type ConvDirectGenome } from './genome.ts';
import { planOf, workspaceFloats } from './plan.ts';
import { wasmDirectSpace } from './space.ts';

/**
 * f16 storage for a convolution on WASM (WASM has no f16 arithmetic): the
 * direct kernel's genes under family `f16` (the direct algorithm only: the
 * im2col + GEMM genomes of the f32 family are not wrapped). The module widens the two
 * inputs to f32 in the workspace, runs the f32 direct kernel of the same
 * genes on them (its entry not exported) and narrows the output back to f16
 * with round-to-nearest-even (genome/wasm/f16/).
 */
export const convF16WasmGenome = <N extends ConvOpName>(op: N) => convDirectGenome(op).omit({ family: true }).extend({ family: z.literal('f16') }).strict();
export type ConvF16WasmGenome = z.infer<ReturnType<typeof convF16WasmGenome>>;

/** The same problem over f32 tensors, and the f32 kernel of the same genes: what the wrapped kernel is. */
const f32Problem = (p: ConvProblem): ConvProblem => ({ ...p, dtype: 'f32' });
const f32Twin = (g: ConvF16WasmGenome): ConvDirectGenome => ({ ...g, family: 'direct' });

/** Elements of the op's two inputs and its output (its tensors, in ABI order), and the f32 kernel's own workspace. */
function sizes(p: ConvProblem): F16Sizes {
  const op = convOps.find((o) => o.name === p.op)! as Op<ConvProblem>;
  const count = (t: TensorSpec) => t.dims.reduce((a, b) => a * b, 1);
  const [a, b] = op.inputs(p).map(count) as [number, number];
  return { a, b, c: count(op.output(p)), innerBytes: 4 * workspaceFloats(planOf(p)) };
}

export const convF16WorkspaceBytes = (p: ConvProblem): number => f16Workspace(sizes(p)).bytes;

export function convF16Wat(g: ConvF16WasmGenome, p: ConvProblem): string {
  return convWat(f32Twin(g), f32Problem(p), f16Wrap(p.op, sizes(p)));
}

export function wasmConvF16Space(p: ConvProblem, caps: WasmCaps): SearchSpace<ConvF16WasmGenome> {
  return relabelledSpace(wasmDirectSpace(f32Problem(p), caps), {
    name: `${p.op}/wasm f16`,
    schema: convF16WasmGenome(p.op),
    outer: (g) => ({ ...g, family: 'f16' }),
    inner: f32Twin,
  });
}
