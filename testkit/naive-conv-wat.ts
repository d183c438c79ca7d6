import { geometry } from '../genome/ops/conv/geometry.ts';
import type { Conv2dProblem } from '../genome/ops/conv/problem.ts';

/**
 * A plainly correct scalar WAT conv2d (no epilogue) under the kernel ABI:
 * seven nested loops, a tap outside the image skipped. Its hooks splice in
 * one misbehaviour each, for the hostile corpus: clamp coordinates into the
 * image instead of skipping (wrong only on the halo), forget the stride on
 * rows, or stop the channel loop at a multiple of `channelBlock`.
 */
export function naiveConvWat(problem: Conv2dProblem, hooks: { clampHalo?: boolean; rowStride?: number; channelBlock?: number } = {}): string {
  const g = geometry(problem);
  const channels = hooks.channelBlock ? Math.floor(g.c / hooks.channelBlock) * hooks.channelBlock : g.c;
  const loop = (v: string, count: number, body: string) =>
    count === 0
      ? ''
      : `(local.set $${v} (i32.const 0))
(loop $l${v}
${body}
(local.set $${v} (i32.add (local.get $${v}) (i32.const 1)))
(br_if $l${v} (i32.lt_s (local.get $${v}) (i32.const ${count}))))`;
  const coordinate = (v: string, out: string, tap: string, stride: number, before: number, size: number) => {
    const at = `(i32.sub (i32.add (i32.mul (local.get $${out}) (i32.const ${stride})) (local.get $${tap})) (i32.const ${before}))`;
    return hooks.clampHalo
      ? `(local.set $${v} ${at})
(if (i32.lt_s (local.get $${v}) (i32.const 0)) (then (local.set $${v} (i32.const 0))))
(if (i32.ge_s (local.get $${v}) (i32.const ${size})) (then (local.set $${v} (i32.const ${size - 1}))))`
      : `(local.set $${v} ${at})`;
  };
  const inside = hooks.clampHalo
    ? '(i32.const 1)'
    : `(i32.and (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (i32.const ${g.h}))) (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (i32.const ${g.w}))))`;
  const x = `(f32.load (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (i32.const ${g.h})) (local.get $iy)) (i32.const ${g.w})) (local.get $ix)) (i32.const ${g.c})) (local.get $ci)) (i32.const 2))))`;
  const w = `(f32.load (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $r) (i32.const ${g.s})) (local.get $s)) (i32.const ${g.c})) (local.get $ci)) (i32.const ${g.k})) (local.get $k)) (i32.const 2))))`;
  const y = `(i32.add (local.get $out) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (i32.const ${g.oh})) (local.get $y)) (i32.const ${g.ow})) (local.get $x)) (i32.const ${g.k})) (local.get $k)) (i32.const 2)))`;
  const taps = loop(
    'r',
    g.r,
    `${coordinate('iy', 'y', 'r', hooks.rowStride ?? g.stride, g.top, g.h)}
${loop('s', g.s, `${coordinate('ix', 'x', 's', g.stride, g.left, g.w)}
(if ${inside} (then ${loop('ci', channels, `(local.set $acc (f32.add (local.get $acc) (f32.mul ${x} ${w})))`)}))`)}`,
  );
  const body = loop('n', g.n, loop('y', g.oh, loop('x', g.ow, loop('k', g.k, `(local.set $acc (f32.const 0))\n${taps}\n(f32.store ${y} (local.get $acc))`))));
  return `(module
  (import "env" "memory" (memory 1))
  (func (export "conv2d") (param $a i32) (param $b i32) (param $out i32) (param $ws i32)
    (local $n i32) (local $y i32) (local $x i32) (local $k i32) (local $r i32) (local $s i32) (local $ci i32) (local $iy i32) (local $ix i32) (local $acc f32)
${body}))`;
}
