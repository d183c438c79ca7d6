import { KevoError } from '../../lib/errors.ts';
import { epilogueParts, separateStages } from '../ops/epilogue.ts';
import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { activationFuncs, epilogueGlobals, epilogueParams, epiloguePassFunc, saveEpiloguePointers } from './epilogue.ts';
import { EXPORTED, type EntryWrap } from './codegen.ts';
import { indent } from './wat.ts';
import type { MatmulWasmGenome } from './genome.ts';
import { wasmMatmulSpace } from './space.ts';

/**
 * The kernel every candidate's speedup is measured against: what a careful
 * person writes first. i-k-j order, f32x4 across each row of C with a scalar
 * tail, no blocking, no packing, no register tile: C's row is reloaded and
 * stored for every k. Fixed forever, so speedups stay comparable.
 */
export function baselineWat(problem: MatmulProblem, wrap: EntryWrap = EXPORTED): string {
  const { m, n, k } = problem.shape;
  const vectorCols = n - (n % 4);
  const vectorLoop = (body: string) =>
    vectorCols === 0
      ? ''
      : `(local.set $j (i32.const 0))
        (loop $vector_cols
          ${body}
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br_if $vector_cols (i32.lt_u (local.get $j) (i32.const ${vectorCols}))))`;
  const scalarLoop = (body: string) =>
    vectorCols === n
      ? ''
      : `(local.set $j (i32.const ${vectorCols}))
        (loop $scalar_cols
          ${body}
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $scalar_cols (i32.lt_u (local.get $j) (i32.const ${n}))))`;
  const cAt = `(i32.add (local.get $cRow) (i32.shl (local.get $j) (i32.const 2)))`;
  const bAt = `(i32.add (local.get $bRow) (i32.shl (local.get $j) (i32.const 2)))`;
  // The epilogue as a framework without fusion runs it: one pass over C per stage.
  const epilogue = epilogueParts(problem.epilogue);
  const stages = separateStages(epilogue);
  const extras = [epilogueGlobals(epilogue), activationFuncs(epilogue.activation), ...stages.map(([name, spec]) => epiloguePassFunc(`$${name}`, spec, m, n))].filter(Boolean);
  return `;; kevo baseline matmul ${m}x${n}x${k} f32: i-k-j, f32x4 over each row of C, scalar tail${stages.length ? `; then one pass per epilogue stage (${problem.epilogue!.join(', ')})` : ''}
(module
  (import "env" "memory" (memory 1))
${extras.length ? `${indent(extras.join('\n\n'), 1)}\n` : ''}  (func ${wrap.entry} (param $a i32) (param $b i32) ${epilogueParams(epilogue)} (param $c i32) (param $ws i32)
    (local $i i32) (local $p i32) (local $j i32) (local $cRow i32) (local $bRow i32)
    (local $aik f32) (local $aikx4 v128)
    ${saveEpiloguePointers(epilogue).split('\n').join('\n    ')}
    ;; rows of C
    (loop $rows
      (local.set $cRow (i32.add (local.get $c) (i32.mul (local.get $i) (i32.const ${n * 4}))))
      ;; C[i, :] = 0
      ${vectorLoop(`(v128.store ${cAt} (v128.const i32x4 0 0 0 0))`)}
      ${scalarLoop(`(f32.store ${cAt} (f32.const 0))`)}
      ;; C[i, :] += A[i, p] * B[p, :] for each p
      (local.set $p (i32.const 0))
      (loop $depth
        (local.set $aik (f32.load (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (i32.const ${k})) (local.get $p)) (i32.const 2)))))
        (local.set $aikx4 (f32x4.splat (local.get $aik)))
        (local.set $bRow (i32.add (local.get $b) (i32.mul (local.get $p) (i32.const ${n * 4}))))
        ${vectorLoop(`(v128.store ${cAt} (f32x4.add (v128.load ${cAt}) (f32x4.mul (local.get $aikx4) (v128.load ${bAt}))))`)}
        ${scalarLoop(`(f32.store ${cAt} (f32.add (f32.load ${cAt}) (f32.mul (local.get $aik) (f32.load ${bAt}))))`)}
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $depth (i32.lt_u (local.get $p) (i32.const ${k}))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $i) (i32.const ${m}))))
    ${stages.map(([name]) => `(call $${name})`).join('\n    ')})${wrap.funcs.length ? `\n\n${indent(wrap.funcs.join('\n\n'), 1)}` : ''})
`;
}

/**
 * A sensible hand-picked start: a 4x8 mul+add tile (8 accumulators, no spills
 * in V8), both operands packed, GotoBLAS loop order, blocks sized for a
 * 32 KiB L1 (4x256 of A and 256x8 of B per tile) and L2, fitted to the problem.
 */
export function defaultWasmGenome(problem: MatmulProblem): MatmulWasmGenome {
  const [start] = wasmMatmulSpace(problem, { relaxedSimd: false }).seeds!();
  if (!start) throw new KevoError('FAILURE', 'the default genome did not repair for this problem');
  return start;
}
