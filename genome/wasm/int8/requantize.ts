import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { roundUp } from '../tiling.ts';

/**
 * i16 with an i16 output (genome/ops/matmul/schemes/i16-requantized.ts) on
 * WASM: the i32 kernel's entry, renamed $tile, writes C32 into the workspace
 * past packed A; the new entry then runs $requantize over it: one SIMD pass
 * for C32's least and greatest elements, the scalar search for the smallest
 * shift that keeps both in i16 (rounding is monotone, so they decide), and
 * one SIMD pass that rounds half up, (x >> s) + ((x >> (s-1)) & 1) (the mask
 * 0 when s is 0: the shift count would be -1), and narrows eight a store.
 * The entry takes C's and c_shift's offsets where the i32 kernel took C's.
 */
export function requantizedModule(wat: string, p: MatmulProblem, workspaceBefore: number): string {
  const header = /\(func \(export "matmul"\) ((?:\(param \$\w+ i32\) )*)\(param \$c i32\) \(param \$ws i32\)( \(param \$packed i32\))?/;
  const found = header.exec(wat);
  if (!found) throw new Error('requantizedModule: no i32 matmul entry to wrap');
  const inputs = found[1]!;
  const packed = found[2] ?? '';
  const args = [...inputs.matchAll(/\$(\w+)/g)].map((m) => `(local.get $${m[1]})`).join(' ');
  const c32 = `(i32.add (local.get $ws) (i32.const ${c32Offset(workspaceBefore)}))`;
  const entry = `(func (export "matmul") ${inputs}(param $c i32) (param $shift i32) (param $ws i32)${packed}
    (call $tile ${args} ${c32} (local.get $ws)${packed ? ' (local.get $packed)' : ''})
    (call $requantize ${c32} (local.get $c) (local.get $shift)))`;
  const body = wat.replace(header, (_, params: string) => `(func $tile ${params}(param $c i32) (param $ws i32)${packed}`).trimEnd();
  // The module's closing parenthesis is its last character: the new functions go inside it.
  return `${body.slice(0, -1)}
  ${entry}
  ${requantizeFunction(p.shape.m * p.shape.n)}\n)`;
}

/** Where C32 starts in the workspace: past what the i32 kernel uses there, 16-byte aligned for v128 loads. */
export function c32Offset(workspaceBefore: number): number {
  return roundUp(workspaceBefore, 16);
}

/** The workspace a requantizing kernel needs: the i32 kernel's, then C32. */
export function requantizedWorkspace(p: MatmulProblem, workspaceBefore: number): number {
  return c32Offset(workspaceBefore) + 4 * p.shape.m * p.shape.n;
}

/** $requantize(src: C32 offset, dst: C offset, shift: c_shift offset) over `count` elements. */
function requantizeFunction(count: number): string {
  const quads = Math.floor(count / 4) * 4;
  const octets = Math.floor(count / 8) * 8;
  const round = (x: string) => `(i32x4.add (i32x4.shr_s ${x} (local.get $s)) (v128.and (i32x4.shr_s ${x} (i32.sub (local.get $s) (i32.const 1))) (local.get $half)))`;
  const scalarRound = (x: string) => `(i32.add (i32.shr_s ${x} (local.get $s)) (i32.and (i32.shr_s ${x} (i32.sub (local.get $s) (i32.const 1))) (i32.ne (local.get $s) (i32.const 0))))`;
  return `(func $requantize (param $src i32) (param $dst i32) (param $shift i32)
    (local $e i32) (local $x i32) (local $s i32) (local $least i32) (local $greatest i32) (local $lo v128) (local $hi v128) (local $v v128) (local $half v128)
    ${
      quads === 0
        ? ''
        : `(loop $minmax
      (local.set $v (v128.load (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 2)))))
      (local.set $lo (i32x4.min_s (local.get $lo) (local.get $v)))
      (local.set $hi (i32x4.max_s (local.get $hi) (local.get $v)))
      (local.set $e (i32.add (local.get $e) (i32.const 4)))
      (br_if $minmax (i32.lt_u (local.get $e) (i32.const ${quads}))))`
    }
    ${[0, 1, 2, 3]
      .map(
        (l) => `(local.set $least (select (local.get $least) (i32x4.extract_lane ${l} (local.get $lo)) (i32.lt_s (local.get $least) (i32x4.extract_lane ${l} (local.get $lo)))))
    (local.set $greatest (select (local.get $greatest) (i32x4.extract_lane ${l} (local.get $hi)) (i32.gt_s (local.get $greatest) (i32x4.extract_lane ${l} (local.get $hi)))))`,
      )
      .join('\n    ')}
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_u (local.get $e) (i32.const ${count})))
        (local.set $x (i32.load (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 2)))))
        (local.set $least (select (local.get $least) (local.get $x) (i32.lt_s (local.get $least) (local.get $x))))
        (local.set $greatest (select (local.get $greatest) (local.get $x) (i32.gt_s (local.get $greatest) (local.get $x))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $tail)))
    (block $found
      (loop $search
        (br_if $found (i32.and
          (i32.le_s ${scalarRound('(local.get $greatest)')} (i32.const 32767))
          (i32.ge_s ${scalarRound('(local.get $least)')} (i32.const -32768))))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $search)))
    (i32.store8 (local.get $shift) (local.get $s))
    (local.set $half (i32x4.splat (i32.ne (local.get $s) (i32.const 0))))
    (local.set $e (i32.const 0))
    ${
      octets === 0
        ? ''
        : `(loop $narrow
      (local.set $lo (v128.load (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 2)))))
      (local.set $hi (v128.load offset=16 (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 2)))))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $e) (i32.const 1))) (i16x8.narrow_i32x4_s ${round('(local.get $lo)')} ${round('(local.get $hi)')}))
      (local.set $e (i32.add (local.get $e) (i32.const 8)))
      (br_if $narrow (i32.lt_u (local.get $e) (i32.const ${octets}))))`
    }
    (block $restDone
      (loop $rest
        (br_if $restDone (i32.ge_u (local.get $e) (i32.const ${count})))
        (local.set $x (i32.load (i32.add (local.get $src) (i32.shl (local.get $e) (i32.const 2)))))
        (i32.store16 (i32.add (local.get $dst) (i32.shl (local.get $e) (i32.const 1))) ${scalarRound('(local.get $x)')})
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $rest))))`;
}
