import type { Int8Kernel } from '../int8/codegen.ts';
import { exponentFunctions, i16Bindings, type I16Shape } from './codegen.ts';

/**
 * The plain i16 matmul every i16 candidate is timed against: a 16x16
 * workgroup, one output per thread, each half extracted from its word with
 * extractBits; with block exponents, each product times its block's factor.
 */
export function naiveI16Wgsl(shape: I16Shape): Int8Kernel {
  const { m, n, k } = shape;
  const blocked = shape.exponentBlock !== undefined;
  const at = (tensor: string, e: string) => `extractBits(bitcast<i32>(${tensor}[(${e}) >> 1u]), ((${e}) & 1u) * 16u, 16u)`;
  const product = `${at('A', 'row * K + k')} * ${at('B', 'k * N + col')}`;
  const wgsl = `// kevo baseline matmul i16 ${m}x${n}x${k}${blocked ? `, exponent block ${shape.exponentBlock}` : ''}: one output per thread
const M = ${m}u;
const N = ${n}u;
const K = ${k}u;

${i16Bindings(blocked).join('\n')}

${blocked ? exponentFunctions(shape).join('\n') : ''}
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
${blocked ? '  let least = leastExponent();\n' : ''}  var acc = 0i;
  for (var k = 0u; k < K; k++) {
    acc += ${blocked ? `${product} * blockScale(k / BLOCK, least)` : product};
  }
  C[row * N + col] = acc;
}
`;
  return { wgsl, workgroupSize: [16, 16, 1], tile: { rows: 16, cols: 16 } };
}
