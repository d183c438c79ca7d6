import { dtypeOf, type Dtype, type IntDtype, type Storage } from '../genome/dtypes/index.ts';
import { elementCount, numericAccuracy, opFor } from '../genome/ops/index.ts';
import { expectCorrect, toleranceFor, type VerifyContext } from './context.ts';
import type { Allowance } from './compare.ts';
import { drawInputs } from './inputs.ts';
import type { Kernel } from './kernel.ts';

interface EdgeCase {
  readonly name: string;
  readonly inputs: Storage[];
  readonly allow?: Allowance;
}

/**
 * Values at the ends of each input's dtype. Floats: which outputs must be
 * NaN or Inf comes from the f64 reference itself (a NaN in A[i,k] makes all
 * of C's row i NaN), so the stage knows no op. Where f32 may legitimately part
 * from f64 it says so: sums may overflow once their magnitude nears the
 * format's maximum, and subnormal results may be flushed (WGSL allows it;
 * wasm never does it). Ints: every element at the type's minimum, at its
 * maximum, extremes mixed, the type's edge values, small values: where
 * narrow intermediates, saturating adds and 7-bit dot products go wrong.
 */
export async function edges(kernel: Kernel, ctx: VerifyContext): Promise<void> {
  for (const edge of edgeCases(ctx)) await expectCorrect(kernel, edge.inputs, ctx, edge.name, { allow: edge.allow });
}

function edgeCases(ctx: VerifyContext): EdgeCase[] {
  const kinds = new Set(
    opFor(ctx.problem)
      .inputs(ctx.problem)
      .map((t) => dtypeOf(t.dtype).kind),
  );
  const floats = kinds.has('float');
  const ints = kinds.has('int');
  return [...(floats ? floatCases(ctx) : []), ...(ints ? intCases(ctx) : [])];
}

/** Draws float inputs by `float` and int inputs as normal draws. */
function withFloats(ctx: VerifyContext, name: string, float: (input: number) => number): Storage[] {
  const { rng } = ctx;
  const int = (dtype: IntDtype) => Math.round(Math.min(dtype.limits.max, Math.max(dtype.limits.min, (dtype.limits.min + dtype.limits.max) / 2 + rng.normal() * 8)));
  return drawInputs(ctx.problem, (input, dtype: Dtype) => (dtype.kind === 'float' ? () => float(input) : () => int(dtype)), rng, name);
}

function floatCases(ctx: VerifyContext): EdgeCase[] {
  const { rng, format } = ctx;
  const normal = () => rng.normal();
  const scaled = (name: string, scales: readonly number[]) => withFloats(ctx, name, (input) => rng.normal() * (scales[input] ?? 1));
  const withOne = (name: string, value: number) => {
    const inputs = withFloats(ctx, name, normal);
    const specs = opFor(ctx.problem).inputs(ctx.problem);
    inputs.forEach((input, t) => {
      const dtype = dtypeOf(specs[t]!.dtype);
      if (dtype.kind === 'float') dtype.set(input, rng.int(0, elementCount(specs[t]!.dims) - 1), value);
    });
    return inputs;
  };
  // A numeric accuracy bounds the error against the check's scale alone (so ofTolerance x accuracy is the error): no subnormal allowance.
  const steps = numericAccuracy(ctx.problem) === undefined ? toleranceFor(ctx).rel / format.unit : 0;
  const big = 2 ** (format.maxExp - 4);
  const half = 2 ** Math.floor(format.maxExp / 2);
  const tiny = 2 ** Math.floor(format.minNormalExp / 2 - 1);
  return [
    { name: 'zeros', inputs: withFloats(ctx, 'zeros', (input) => (input === 0 ? 0 : rng.normal())) },
    { name: 'NaN', inputs: withOne('NaN', NaN) },
    { name: 'Inf', inputs: withOne('Inf', Infinity) },
    { name: '-Inf', inputs: withOne('-Inf', -Infinity) },
    // Huge times tiny: products of order one, so scaling tricks and narrow intermediates show.
    { name: 'huge x tiny', inputs: scaled('huge x tiny', [big, 1 / big]) },
    { name: 'huge', inputs: scaled('huge', [half, half]), allow: { overflowFrom: format.max / 2 } },
    { name: 'subnormal', inputs: scaled('subnormal', [tiny, tiny]), allow: { extraAbs: steps * 2 ** format.minNormalExp } },
  ];
}

/** Int inputs at their extremes, float inputs (activations beside int weights) normal draws. */
function intCases(ctx: VerifyContext): EdgeCase[] {
  const { rng } = ctx;
  const ints = (name: string, int: (dtype: IntDtype) => number): EdgeCase => ({
    name,
    inputs: drawInputs(ctx.problem, (_input, dtype: Dtype) => (dtype.kind === 'int' ? () => int(dtype) : () => rng.normal()), rng, name),
  });
  return [
    ints('min', (d) => d.limits.min),
    ints('max', (d) => d.limits.max),
    ints('extremes', (d) => (rng.chance(0.5) ? d.limits.min : d.limits.max)),
    ints('edge values', (d) => rng.pick(d.edgeValues)),
    ints('small', (d) => rng.int(Math.max(d.limits.min, -3), Math.min(d.limits.max, 3))),
  ];
}
