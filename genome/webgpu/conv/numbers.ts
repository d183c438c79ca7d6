/**
 * How a convolution kernel's tensors are stored and what it computes in:
 * f32 tensors and math (the `conv` family), or f16 tensors (the `f16`
 * family) bound as array<f16> (shader-f16) or as array<u32> of two halves a
 * word (`packed`, core WGSL), with f32 or f16 multiply-adds.
 */
export interface Numbers {
  readonly storage: 'f32' | 'f16' | 'packed';
  /** The accumulators' and staged tiles' scalar type. */
  readonly compute: 'f32' | 'f16';
}

export const F32_NUMBERS: Numbers = { storage: 'f32', compute: 'f32' };

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
  const [read, written] = n.storage === 'packed' ? ['array<u32>', 'array<atomic<u32>>'] : [`array<${n.storage}>`, `array<${n.storage}>`];
  return [`@group(0) @binding(0) var<storage, read> A: ${read};`, `@group(0) @binding(1) var<storage, read> B: ${read};`, `@group(0) @binding(2) var<storage, read_write> C: ${written};`];
}

/** Helper functions packed storage reads and writes halves through. */
export function numberHelpers(n: Numbers): string[] {
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
  if (n.storage === 'packed') return n.compute === 'f32' ? `half${tensor}(${index})` : `f16(half${tensor}(${index}))`;
  return n.storage === n.compute ? `${tensor}[${index}]` : `${n.compute}(${tensor}[${index}])`;
}

/** The statement storing `value` (the compute type) at C[index]. */
export function store(n: Numbers, index: string, value: string): string {
  if (n.storage === 'packed') return `storeHalf(${index}, ${n.compute === 'f32' ? value : `f32(${value})`});`;
  return `C[${index}] = ${n.storage === n.compute ? value : `${n.storage}(${value})`};`;
}
