/**
 * i16 with an i16 output (genome/ops/matmul/schemes/i16-requantized.ts) in
 * WGSL. The shift needs every element of C32 and WebGPU gives a kernel no
 * scratch buffer, so the kernel runs three dispatches over the same
 * bindings (the launch's passes): `main` zeroes c_shift's word, `shift`
 * computes each thread's C32 elements and atomicMax-es the shift its least
 * and greatest need into that word, `store` computes them again and writes
 * each rounded half with atomicAnd/atomicOr (two elements share a word, and
 * with odd N two threads do). The recompute costs a second matmul; a C32
 * scratch binding would cost M x N x 4 bytes of traffic instead.
 */

/** The output bindings after the inputs': C as words of two halves (element e low when even), c_shift's byte in one word. */
export function requantizedBindings(first: number): string[] {
  return [
    `@group(0) @binding(${first}) var<storage, read_write> C: array<atomic<u32>>;`,
    `@group(0) @binding(${first + 1}) var<storage, read_write> c_shift: array<atomic<u32>>;`,
  ];
}

/**
 * roundShift: round(x / 2^s) half up, (x >> s) + ((x >> (s-1)) & 1), the
 * mask 0 for s = 0; shiftFor: the smallest s keeping lo and hi in i16
 * (rounding is monotone); storeHalf: element e's 16 bits, its neighbour's kept.
 */
export const REQUANTIZE_FUNCTIONS = [
  'fn roundShift(x: i32, s: u32) -> i32 {',
  '  return (x >> s) + ((x >> ((s + 31u) & 31u)) & select(0i, 1i, s > 0u));',
  '}',
  'fn shiftFor(lo: i32, hi: i32) -> u32 {',
  '  for (var s = 0u; s < 17u; s++) {',
  '    if (roundShift(hi, s) <= 32767i && roundShift(lo, s) >= -32768i) { return s; }',
  '  }',
  '  return 17u;',
  '}',
  'fn storeHalf(e: u32, v: i32) {',
  '  let at = (e & 1u) * 16u;',
  '  atomicAnd(&C[e >> 1u], ~(0xffffu << at));',
  '  atomicOr(&C[e >> 1u], (bitcast<u32>(v) & 0xffffu) << at);',
  '}',
  '',
];

/** One C32 element a thread computes: when it exists, its value, its flat index. */
export interface OwnedElement {
  readonly guard: string;
  readonly value: string;
  readonly index: string;
}

/**
 * The three entries around a kernel's C32 computation: `head` is the entry's
 * attribute and parameter text after `fn NAME`, `compute` its body up to the
 * results, `elements` where they are.
 */
export function requantizedEntries(attribute: string, head: string, compute: readonly string[], elements: readonly OwnedElement[]): string[] {
  const each = (line: (e: OwnedElement) => string) => elements.map((e) => `  if (${e.guard}) { ${line(e)} }`);
  return [
    attribute,
    `fn main${head} {`,
    '  atomicStore(&c_shift[0], 0u);',
    '}',
    '',
    attribute,
    `fn shift${head} {`,
    ...compute,
    '  var lo = 0i;',
    '  var hi = 0i;',
    ...each((e) => `lo = min(lo, ${e.value}); hi = max(hi, ${e.value});`),
    '  atomicMax(&c_shift[0], shiftFor(lo, hi));',
    '}',
    '',
    attribute,
    `fn store${head} {`,
    ...compute,
    '  let s = atomicLoad(&c_shift[0]);',
    ...each((e) => `storeHalf(${e.index}, roundShift(${e.value}, s));`),
    '}',
    '',
  ];
}
