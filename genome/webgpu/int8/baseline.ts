import type { MatmulShape } from '../../ops/matmul-problem.ts';
import { byteAt, int8Bindings, zeroPointLines, type Int8Kernel, type Int8Scheme } from './codegen.ts';
import { perOutputWgsl } from '../per-output.ts';

/**
 * The plain integer matmul every int8 candidate is timed against: a 16x16
 * workgroup, one output per thread, each byte extracted from its word with
 * extractBits (core WGSL), zero points subtracted per product.
 */
export function naiveInt8Wgsl({ m, n, k }: MatmulShape, s: Int8Scheme): Int8Kernel {
  const u8 = s === 'u8i8';
  const a = byteAt('A', 'row * K + k', !u8);
  const b = byteAt('B', 'k * N + col', true);
  return perOutputWgsl(
    `${s} ${m}x${n}x${k}: one output per thread`,
    { m, n, k },
    int8Bindings(s).join('\n'),
    `${u8 ? zeroPointLines.map((l) => `  ${l}`).join('\n') : ''}
  var acc = 0i;
  for (var k = 0u; k < K; k++) {
    acc += ${u8 ? `(${a} - za) * (${b} - zb)` : `${a} * ${b}`};
  }
  C[row * N + col] = acc;`,
  );
}
