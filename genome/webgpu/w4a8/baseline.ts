import { int4Layout } from '../../ops/matmul/int4/layout.ts';
import { w4a8Bindings, type W4a8Kernel, type W4a8Shape } from './codegen.ts';
import { perOutputWgsl } from '../per-output.ts';

/**
 * The plain w4a8 matmul every candidate is timed against: a 16x16
 * workgroup, one output per thread, each byte of A and nibble of B
 * sign-extended by extractBits (core WGSL), one flat loop over K whose
 * exact i32 sum is scaled at the end of each group; the row scale at the store.
 */
export function naiveW4a8Wgsl(s: W4a8Shape): W4a8Kernel {
  const { m, n, k, group } = s;
  const blocks = int4Layout(n, k, group).blocks;
  return perOutputWgsl(
    `w4a8 ${m}x${n}x${k} group ${group}: one output per thread`,
    s,
    w4a8Bindings().join('\n'),
    `  var acc = 0.0;
  var part = 0i;
  for (var k = 0u; k < K; k++) {
    let nibble = col * ${blocks * group}u + k;
    let q = extractBits(bitcast<i32>(B[nibble >> 3u]), (nibble & 7u) * 4u, 4u);
    let e = row * K + k;
    let a = extractBits(bitcast<i32>(A[e >> 2u]), (e & 3u) * 8u, 8u);
    part += a * q;
    if ((k + 1u) % ${group}u == 0u || k + 1u == K) {
      acc += f32(part) * scales[col * ${blocks}u + k / ${group}u];
      part = 0i;
    }
  }
  C[row * N + col] = acc * a_scales[row];`,
  );
}
