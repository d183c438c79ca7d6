import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { byteAt, int8Bindings, zeroPointLines, type Int8Kernel, type Int8Scheme } from './codegen.ts';

/**
 * The plain integer matmul every int8 candidate is timed against: a 16x16
 * workgroup, one output per thread, each byte extracted from its word with
 * extractBits (core WGSL), zero points subtracted per product.
 */
export function naiveInt8Wgsl({ m, n, k }: MatmulShape, s: Int8Scheme): Int8Kernel {
  const u8 = s === 'u8i8';
  const a = byteAt('A', 'row * K + k', !u8);
  const b = byteAt('B', 'k * N + col', true);
  const wgsl = `// kevo baseline matmul ${s} ${m}x${n}x${k}: one output per thread
const M = ${m}u;
const N = ${n}u;
const K = ${k}u;

${int8Bindings(s).join('\n')}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
${u8 ? zeroPointLines.map((l) => `  ${l}`).join('\n') : ''}
  var acc = 0i;
  for (var k = 0u; k < K; k++) {
    acc += ${u8 ? `(${a} - za) * (${b} - zb)` : `${a} * ${b}`};
  }
  C[row * N + col] = acc;
}
`;
  return { wgsl, workgroupSize: [16, 16, 1], tile: { rows: 16, cols: 16 } };
}
