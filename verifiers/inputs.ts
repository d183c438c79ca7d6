import { dtypeOf, f16, f32, fill, generator, type Distribution as Draw, type Dtype, type FloatLimits, type Storage } from '../genome/dtypes/index.ts';
import { elementCount, opFor, type InputCase, type Precision, type Problem } from '../genome/ops/index.ts';
import type { Rng } from '../lib/rng.ts';

/**
 * The floating-point format each precision computes in: where values overflow,
 * where subnormals begin, and up to which magnitude integer inputs give exact
 * results. Winograd's intermediates are quarter-integers (G's halves squared)
 * up to 9x the norm magnitude it is judged by: exact below 2^22 / 9, so 2^18.
 * i8 and w4 kernels quantize f32 inputs and write f32: their values live in f32's range.
 */
export const formats: Record<Precision, FloatLimits> = { f32: f32.limits, 'f32-fma': f32.limits, f16: f16.limits, 'f32-winograd': { ...f32.limits, exactIntegers: 2 ** 18 }, i8: f32.limits, w4: f32.limits };

export type Distribution = 'normal' | 'uniform' | 'wide' | 'integers';
export const distributions: readonly Distribution[] = ['normal', 'uniform', 'wide', 'integers'];

/** The draw of input `input` (Op.inputs order) of dtype `dtype`: called once per tensor, its result once per element. */
export type TensorDraw = (input: number, dtype: Dtype) => () => number;

/**
 * Every input of the problem, in Op.inputs order, each in its own dtype's
 * storage: the op's drawInput hook draws the tensors it treats specially
 * (scales, zero points) for `inputCase`, `draw` every other element.
 */
export function drawInputs(problem: Problem, draw: TensorDraw, rng: Rng, inputCase: InputCase): Storage[] {
  const op = opFor(problem);
  return op.inputs(problem).map((spec, input) => {
    const dtype = dtypeOf(spec.dtype);
    return op.drawInput?.(problem, input, inputCase, rng) ?? fill(dtype, elementCount(spec.dims), draw(input, dtype));
  });
}

/**
 * The distribution's draw for a dtype. Floats: `wide` spans a quarter of the
 * format's exponent range each way, so products stay normal and sums cannot
 * overflow; `integers` are small enough that every partial sum is exact in
 * any order (see numerics). Ints: normal and uniform over the type's range,
 * wide puts the type's extremes in half the elements, integers stay small.
 */
export function drawFor(distribution: Distribution, dtype: Dtype, format: FloatLimits): Draw {
  if (dtype.kind === 'int') {
    const { min, max } = dtype.limits;
    const small: Record<Distribution, Draw> = {
      normal: { kind: 'normal' },
      uniform: { kind: 'uniform' },
      wide: { kind: 'edges' },
      integers: { kind: 'integers', lo: Math.max(min, -8), hi: Math.min(max, 8) },
    };
    return small[distribution];
  }
  const floats: Record<Distribution, Draw> = {
    normal: { kind: 'normal' },
    uniform: { kind: 'uniform', lo: 0, hi: 1 },
    wide: { kind: 'wide', span: Math.floor(format.maxExp / 4) },
    integers: { kind: 'integers', lo: -8, hi: 8 },
  };
  return floats[distribution];
}

/** One draw per dtype met, made once: a generator holds its own state. */
function tensorDraw(distribution: Distribution, rng: Rng, format: FloatLimits): TensorDraw {
  const made = new Map<Dtype, () => number>();
  return (_input, dtype) => {
    let draw = made.get(dtype);
    if (!draw) made.set(dtype, (draw = generator(dtype, drawFor(distribution, dtype, format), rng)));
    return draw;
  };
}

export function randomInputs(problem: Problem, distribution: Distribution, rng: Rng, format: FloatLimits): Storage[] {
  return drawInputs(problem, tensorDraw(distribution, rng, format), rng, distribution);
}

/**
 * `inputs` with each element replaced, with probability `chance`, by the
 * same element of a fresh draw of `distribution` (packed 4-bit storage: a
 * byte, two elements, at a time), so a redrawn element is always one the
 * contract allows. The inputs in `keep` (Op.inputs order) stay as they are.
 */
export function redraw(
  problem: Problem,
  inputs: readonly Storage[],
  chance: number,
  distribution: Distribution,
  rng: Rng,
  format: FloatLimits,
  keep: readonly number[] = [],
): Storage[] {
  const fresh = randomInputs(problem, distribution, rng, format);
  return inputs.map((input, t) => {
    const copy = input.slice();
    if (keep.includes(t)) return copy;
    for (let i = 0; i < copy.length; i++) if (rng.chance(chance)) copy[i] = fresh[t]![i]!;
    return copy;
  });
}

/**
 * `inputs` with one random element of each (but those in `keep`) replaced by
 * a fresh draw's (packed 4-bit storage: a byte). Only that element is drawn,
 * or the tensor where the op draws it itself (scales, nibbles), not a whole
 * fresh set: a GEMV's 16M weights would cost a full draw for one element.
 */
export function redrawOne(problem: Problem, inputs: readonly Storage[], distribution: Distribution, rng: Rng, format: FloatLimits, keep: readonly number[] = []): Storage[] {
  const op = opFor(problem);
  const draw = tensorDraw(distribution, rng, format);
  return op.inputs(problem).map((spec, t) => {
    const copy = inputs[t]!.slice();
    if (keep.includes(t)) return copy;
    const at = rng.int(0, copy.length - 1);
    const dtype = dtypeOf(spec.dtype);
    const own = op.drawInput?.(problem, t, distribution, rng);
    copy[at] = own ? own[at]! : fill(dtype, dtype.bits < 8 ? 8 / dtype.bits : 1, draw(t, dtype))[0]!;
    return copy;
  });
}
