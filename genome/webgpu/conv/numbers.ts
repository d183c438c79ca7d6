import type { ConvProblem } from '../../ops/conv/problem.ts';

/**
 * How a convolution kernel's tensors are stored and what it computes in:
 * f32 tensors and math (the `conv` family), f16 tensors (the `f16` family)
 * bound as array<f16> (shader-f16) or as array<u32> of two halves a word
 * (`packed`, core WGSL), with f32 or f16 multiply-adds; or i16 operands
 * (dynamic fixed point mantissas, the `conv` family), bound as array<u32> of
 * two halves a word (WGSL has no 16-bit integer) and sign-extended by
 * extractBits, into i32 sums and an array<i32> output, which wrap as the
 * contract does.
 */
export interface Numbers {
  readonly storage: 'f32' | 'f16' | 'packed' | 'i16';
  /** The accumulators' and staged tiles' scalar type. */
  readonly compute: 'f32' | 'f16' | 'i32';
}

export const F32_NUMBERS: Numbers = { storage: 'f32', compute: 'f32' };
const I16_NUMBERS: Numbers = { storage: 'i16', compute: 'i32' };

/** The `conv` family's numbers for a problem: i16 operands into i32 sums, else f32. */
export const numbersOf = (p: ConvProblem): Numbers => (p.dtype === 'i16' ? I16_NUMBERS : F32_NUMBERS);

/** The compute type's zero literal (an abstract float never converts to an integer). */
export const zero = (n: Numbers): string => (n.compute === 'i32' ? '0' : '0.0');

/** Whether the kernel needs `enable f16;` (the adapter's shader-f16 feature). */
export const usesF16 = (n: Numbers): boolean => n.storage === 'f16' || n.compute === 'f16';

/** Bytes of one staged scalar in workgroup memory. */
export const computeBytes = (n: Numbers): number => (n.compute === 'f16' ? 2 : 4);

/**
 * The bindings of the two inputs and the output (f16 problems have no
 * epilogue). Packed C is atomic: a word holds two neighbouring outputs,
 * which belong to different threads, so each writes only its own half.
 */
export function numberBindings(n: Numbers): string[] {
  const [read, written] =
    n.storage === 'packed' ? ['array<u32>', 'array<atomic<u32>>'] : n.storage === 'i16' ? ['array<u32>', 'array<i32>'] : [`array<${n.storage}>`, `array<${n.storage}>`];
  return [`@group(0) @binding(0) var<storage, read> A: ${read};`, `@group(0) @binding(1) var<storage, read> B: ${read};`, `@group(0) @binding(2) var<storage, read_write> C: ${written};`];
}

/** Helper functions packed storage reads and writes halves through. */
export function numberHelpers(n: Numbers): string[] {
  if (n.storage === 'i16') {
    // element e in the low half of word e/2 when e is even (host byte order)
    return ['A', 'B'].map((t) => `fn half${t}(e: u32) -> i32 { return extractBits(bitcast<i32>(${t}[e >> 1u]), (e & 1u) * 16u, 16u); }`);
  }
  if (n.storage !== 'packed') return [];
  return [
    'fn halfA(e: u32) -> f32 { return unpack2x16float(A[e >> 1u])[e & 1u]; }',
    'fn halfB(e: u32) -> f32 { return unpack2x16float(B[e >> 1u])[e & 1u]; }',
    // Clear our half, then or our bits in: atomic per op, and the other half's owner touches only its own bits.
    'fn storeHalf(e: u32, v: f32) {',
    '  let shift = (e & 1u) * 16u;',
    '  atomicAnd(&C[e >> 1u], ~(0xffffu << shift));',
    '  atomicOr(&C[e >> 1u], (pack2x16float(vec2<f32>(v, 0.0)) & 0xffffu) << shift);',
    '}',
  ];
}

/** Element `index` of input `tensor` (A or B) as the compute type. */
export function load(n: Numbers, tensor: 'A' | 'B', index: string): string {
  if (n.storage === 'i16') return `half${tensor}(${index})`;
  if (n.storage === 'packed') return n.compute === 'f32' ? `half${tensor}(${index})` : `f16(half${tensor}(${index}))`;
  return n.storage === n.compute ? `${tensor}[${index}]` : `${n.compute}(${tensor}[${index}])`;
}

/** The statement storing `value` (the compute type) at C[index]. */
export function store(n: Numbers, index: string, value: string): string {
  if (n.storage === 'packed') return `storeHalf(${index}, ${n.compute === 'f32' ? value : `f32(${value})`});`;
  return `C[${index}] = ${n.storage === n.compute || n.storage === 'i16' ? value : `${n.storage}(${value})`};`;
}
