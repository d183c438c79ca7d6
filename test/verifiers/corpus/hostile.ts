import type { MatmulProblem } from '../../../genome/ops/matmul-problem.ts';
import { naiveMatmulWat } from '../../../testkit/naive-wat.ts';

/**
 * The hostile corpus: WASM matmul kernels that try to get a wrong or
 * unearned result past the harness, each with the stage that must stop it.
 * Every version of the harness runs them all (test/verifiers/corpus.test.ts)
 * and none may be accepted. Each is the plainly correct naive kernel with one
 * misbehaviour spliced in, so what it does differently is all there is to read.
 *
 * The caches keep a copy of C in the workspace, which holds M*K + K*N floats:
 * enough for C at the corpus's problem and its edge shapes (see the test).
 */
export interface HostileKernel {
  readonly name: string;
  /** What it does, and why the stage named catches it. */
  readonly trick: string;
  readonly stage: string;
  /** The reason the harness gives at the corpus problem (16x12x8). */
  readonly reason: RegExp;
  readonly wat: (problem: MatmulProblem) => string;
}

/** Calls the verifier stages make on the problem's own kernel are fewer than this (the timing makes hundreds more). */
export const VERIFICATION_CALLS = 40;

const cBytes = (p: MatmulProblem) => p.shape.m * p.shape.n * 4;

/** Declares globals before the entry point and runs `prologue` first in it. */
function splice(wat: string, globals: string, prologue: string, epilogue = ''): string {
  return wat
    .replace('(func (export "matmul")', `${globals}\n  (func (export "matmul")`)
    .replace('(local $acc f32)', `(local $acc f32)\n    ${prologue}`)
    .replace(/\)\)$/, `\n    ${epilogue}))`);
}

export const hostileCorpus: readonly HostileKernel[] = [
  {
    name: 'zeros',
    trick: 'writes 0 to every element of C: written and finite, so smoke (which needs no reference) lets it by; the first comparison with the reference does not',
    stage: 'shapes',
    reason: /^shapes \(16x12x8\): C\[\d+,\d+\] = 0 but expected /,
    wat: (p) => naiveMatmulWat(p, { beforeStore: '(local.set $acc (f32.const 0))' }),
  },
  {
    name: 'pointer-keyed cache',
    trick:
      'remembers C for the (A, B) pointers it was called with and replays it, without computing, whenever called with the same pointers again: ' +
      'the harness writes new inputs into the same buffers, so the first check after smoke sees the stale answer',
    stage: 'shapes',
    reason: /^shapes \(16x12x8\): C\[\d+,\d+\] = \S+ but expected /,
    wat: (p) =>
      splice(
        naiveMatmulWat(p),
        '(global $keyA (mut i32) (i32.const -1))\n  (global $keyB (mut i32) (i32.const -1))',
        `(if (i32.and (i32.eq (local.get $a) (global.get $keyA)) (i32.eq (local.get $b) (global.get $keyB)))
      (then (memory.copy (local.get $c) (local.get $ws) (i32.const ${cBytes(p)})) (return)))`,
        `(memory.copy (local.get $ws) (local.get $c) (i32.const ${cBytes(p)}))
    (global.set $keyA (local.get $a))
    (global.set $keyB (local.get $b))`,
      ),
  },
  {
    name: 'correct only on the timing inputs',
    trick:
      `honest for its first ${VERIFICATION_CALLS} calls (every verifier stage), then recognises inputs by a checksum of four elements ` +
      '(the first and last of A and of B) and replays the C it computed for them: right on the inputs it is timed on, which never change, ' +
      'so the timing measures a copy; wrong on any other input with those four elements. Fresh inputs miss its cache; ' +
      'the spot check then changes one element of each input and gets the stale answer',
    stage: 'spotcheck',
    reason: /^spotcheck \(after (warm-up|timing), one element of each input redrawn\): C\[\d+,\d+\] = \S+ but expected /,
    wat: (p) => checksumCache(p, VERIFICATION_CALLS),
  },
  {
    name: 'checksum cache from the first call',
    trick:
      'the same cache from its first call: the loophole stage redraws half of each input, which leaves all four keyed elements ' +
      'as they were only one time in 16, so the stages let it by; the spot check does not',
    stage: 'spotcheck',
    reason: /^spotcheck \(after (warm-up|timing), one element of each input redrawn\): C\[\d+,\d+\] = \S+ but expected /,
    wat: (p) => checksumCache(p, 0),
  },
];

/** Remembers C under a checksum of four input elements once it has been called `after` times, and replays it on a match. */
function checksumCache(p: MatmulProblem, after: number): string {
  const { m, n, k } = p.shape;
  const key = `(f32.add (f32.add (f32.load (local.get $a)) (f32.load offset=${(m * k - 1) * 4} (local.get $a)))
        (f32.add (f32.load (local.get $b)) (f32.load offset=${(k * n - 1) * 4} (local.get $b))))`;
  return splice(
    naiveMatmulWat(p),
    '(global $calls (mut i32) (i32.const 0))\n  (global $cached (mut i32) (i32.const 0))\n  (global $key (mut f32) (f32.const 0))',
    `(global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (i32.and (global.get $cached) (f32.eq ${key} (global.get $key)))
      (then (memory.copy (local.get $c) (local.get $ws) (i32.const ${cBytes(p)})) (return)))`,
    `(if (i32.gt_u (global.get $calls) (i32.const ${after}))
      (then
        (memory.copy (local.get $ws) (local.get $c) (i32.const ${cBytes(p)}))
        (global.set $key ${key})
        (global.set $cached (i32.const 1))))`,
  );
}
