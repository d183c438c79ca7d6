import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { w4Bindings, zeroPointExpr, type W4Kernel, type W4Shape } from './codegen.ts';
import { perOutputWgsl } from '../per-output.ts';

/**
 * The plain w4 matmul every candidate is timed against: a 16x16 workgroup,
 * one output per thread, each weight's nibble, scale and zero point read
 * and dequantized per k.
 */
export function naiveW4Wgsl(s: W4Shape): W4Kernel {
  const { m, n, k, group } = s;
  const blocks = int4Layout(n, k, group).blocks;
  return perOutputWgsl(
    `w4 ${m}x${n}x${k} group ${group}: one output per thread`,
    s,
    w4Bindings(s.zeroPoint).join('\n'),
    `  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    let nibble = col * ${blocks * group}u + k;
    let q = f32(extractBits(B[nibble >> 3u], (nibble & 7u) * 4u, 4u));
    let g = k / ${group}u;
    acc += A[row * K + k] * ((q - ${zeroPointExpr(s, 'col', 'g')}) * scales[col * ${blocks}u + g]);
  }
  C[row * N + col] = acc;`,
  );
}
