import type { Int8Kernel } from '../int8/codegen.ts';
import { exponentFunctions, i16Bindings, i16Entries, type I16Shape } from './codegen.ts';
import { perOutputWgsl } from '../per-output.ts';

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
  return perOutputWgsl(
    `i16 ${m}x${n}x${k}${blocked ? `, exponent block ${shape.exponentBlock}` : ''}: one output per thread`,
    shape,
    [...i16Bindings(shape), ...(blocked ? ['', ...exponentFunctions(shape)] : [])].join('\n'),
    `${blocked ? '  let least = leastExponent();\n' : ''}  var acc = 0i;
  for (var k = 0u; k < K; k++) {
    acc += ${blocked ? `${product} * blockScale(k / BLOCK, least)` : product};
  }${shape.requantized ? '' : '\n  C[row * N + col] = acc;'}`,
    '',
    shape.requantized
      ? (attribute, head, body) => i16Entries(shape, attribute, head, body.split('\n'), [{ guard: 'true', value: 'acc', index: 'row * N + col' }]).join('\n')
      : undefined,
  );
}
