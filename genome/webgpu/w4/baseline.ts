import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { w4Bindings, zeroPointExpr, type W4Kernel, type W4Shape } from './codegen.ts';

/**
 * The plain w4 matmul every candidate is timed against: a 16x16 workgroup,
 * one output per thread, each weight's nibble, scale and zero point read
 * and dequantized per k.
 */
export function naiveW4Wgsl(s: W4Shape): W4Kernel {
  const { m, n, k, group } = s;
  const blocks = int4Layout(n, k, group).blocks;
  const wgsl = `// kevo baseline matmul w4 ${m}x${n}x${k} group ${group}: one output per thread
const M = ${m}u;
const N = ${n}u;
const K = ${k}u;

${w4Bindings(s.zeroPoint).join('\n')}

@compute @workgroup_size(16, 16, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let row = id.y;
  let col = id.x;
  if (row >= M || col >= N) { return; }
  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    let nibble = col * ${blocks * group}u + k;
    let q = f32(extractBits(B[nibble >> 3u], (nibble & 7u) * 4u, 4u));
    let g = k / ${group}u;
    acc += A[row * K + k] * ((q - ${zeroPointExpr(s, 'col', 'g')}) * scales[col * ${blocks}u + g]);
  }
  C[row * N + col] = acc;
}
`;
  return { wgsl, workgroupSize: [16, 16, 1], tile: { rows: 16, cols: 16 } };
}
