import type { MatmulProblem } from '../genome/ops/matmul-problem.ts';
import { baselineWat } from '../genome/wasm/baseline.ts';
import { wasmLaunch } from '../genome/families/abi.ts';
import { naiveMatmulWat } from './naive-wat.ts';

/** An LLM-style source and the harness stage that must catch it ('ok' for the correct ones). */
export interface CorpusEntry {
  readonly name: string;
  readonly wat: string;
  /** The stage that must reject it, or null when it is correct and must pass. */
  readonly caughtBy: string | null;
  /** The result status a catch has: a wrong answer is rejected, an endless loop a timeout. */
  readonly status: 'ok' | 'rejected' | 'timeout' | 'compile_error' | 'runtime_error';
}

/** A copy loop of `count` f32 from byte offset `from` to `to`, as WAT statements. */
function copy(from: string, to: string, count: number): string {
  return `(local.set $p (i32.const 0))
    (loop $copy
      (f32.store (i32.add ${to} (i32.shl (local.get $p) (i32.const 2)))
        (f32.load (i32.add ${from} (i32.shl (local.get $p) (i32.const 2)))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $copy (i32.lt_u (local.get $p) (i32.const ${count}))))`;
}

/**
 * Hostile kernels of the kinds an LLM writes when it games a benchmark
 * (robust-kbench's catalogue), plus correct ones that must not be rejected.
 * Each obeys the ABI well enough to load, so it is the harness that must judge it.
 */
export function hostileCorpus(problem: MatmulProblem): CorpusEntry[] {
  const { m, n } = problem.shape;
  const naive = naiveMatmulWat(problem);
  const cells = m * n;
  const layout = wasmLaunch(problem);
  // the cache lives past the workspace, inside the same (imported) memory the kernel may touch
  const stash = layout.workspace.offset + layout.workspace.length * 4;
  const memoize = naive
    .replace(
      '(loop $li',
      `(if (i32.eq (i32.load (i32.const ${stash})) (i32.const 1))
      (then ${copy(`(i32.const ${stash + 64})`, '(local.get $c)', cells)} (return)))
    (loop $li`,
    )
    .replace(
      /\)\)$/,
      `${copy('(local.get $c)', `(i32.const ${stash + 64})`, cells)}
    (i32.store (i32.const ${stash}) (i32.const 1))))`,
    );
  return [
    { name: 'correct naive', wat: naive, caughtBy: null, status: 'ok' },
    { name: 'correct SIMD (the baseline kernel)', wat: baselineWat(problem), caughtBy: null, status: 'ok' },
    {
      name: 'writes nothing',
      wat: `(module (import "env" "memory" (memory 1))
  (func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)))`,
      caughtBy: 'smoke',
      status: 'rejected',
    },
    { name: 'skips the last row', wat: naiveMatmulWat(problem, { rowLimit: m - 1 }), caughtBy: 'smoke', status: 'rejected' },
    { name: 'caches its first answer', wat: memoize, caughtBy: 'shapes', status: 'rejected' },
    {
      name: 'writes an input',
      wat: naiveMatmulWat(problem, { afterLoops: '(f32.store (local.get $a) (f32.const 0))' }),
      caughtBy: 'loophole',
      status: 'rejected',
    },
    {
      name: 'loops for ever',
      wat: naiveMatmulWat(problem, { afterLoops: '(loop $forever (br $forever))' }),
      caughtBy: 'deadline',
      status: 'timeout',
    },
    {
      name: 'not WAT at all',
      wat: 'export function matmul(a, b, c) { /* JavaScript is never run */ }',
      caughtBy: 'smoke',
      status: 'compile_error',
    },
  ];
}
