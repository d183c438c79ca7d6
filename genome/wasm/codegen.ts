import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { epilogueParts } from '../ops/epilogue.ts';
import { activationFuncs, epilogueGlobals, epilogueParams, epiloguePasses, hasEpilogue, saveEpiloguePointers, type EpilogueSpec } from './epilogue.ts';
import type { MatmulWasmGenome } from './genome.ts';
import { packAFunc, packAK4Func, packBFunc } from './pack.ts';
import { tileEpilogueFunc, tileFunc, tileName } from './tile.ts';
import { roundUp } from './tiling.ts';
import type { PrepareRequest } from '../families/abi.ts';
import { matmul } from '../ops/matmul.ts';
import { get, i32, indent } from './wat.ts';

/**
 * How the f32 kernel sits in its module: its entry's name or export clause,
 * and functions added after it (a wrapper that converts other dtypes and
 * calls the f32 entry: ./f16/).
 */
export interface EntryWrap {
  readonly entry: string;
  readonly funcs: readonly string[];
  /**
   * B packed at load time: the load-time entry's name or export clause
   * (default `(export "prepare")`), or null where the caller writes the
   * panels itself (./int4/pack.ts dequantizes straight into them).
   */
  readonly prepare?: string | null;
}

/** A plain f32 kernel: its entry exported as `name`, nothing around it. */
export const exportedAs = (name: string): EntryWrap => ({ entry: `(export "${name}")`, funcs: [] });

export const EXPORTED: EntryWrap = exportedAs('matmul');

/**
 * How a caller other than the plain kernel ABI lays out A and C: `lda`, A's
 * row stride in floats (default K; rows may overlap, A is only read), and
 * `accumulate`, an extra last entry parameter that, when nonzero, adds the
 * product into C instead of overwriting it (./conv/implicit.ts: one GEMM per
 * window row into the same output row). Absent: the module is the plain kernel's.
 */
export interface ALayout {
  readonly lda?: number;
  readonly accumulate?: boolean;
}

/**
 * Genome -> WAT for C = A x B under the kernel ABI (genome/families/abi.ts).
 * GotoBLAS-style: three cache-block loops in the genome's order, optional
 * packing of each A and B block into the workspace, and an mr x nr register
 * tile as the micro-kernel. Correct for every M, N, K >= 1: the last rows
 * and columns get narrower tiles of their own, so no tile reads or writes
 * past the matrices. Pure: the same inputs always give the same text.
 */
export function matmulWat(genome: MatmulWasmGenome, problem: MatmulProblem, wrap: EntryWrap = EXPORTED, layout: ALayout = {}): string {
  const { m, n, k } = problem.shape;
  const lda = layout.lda ?? k;
  const { mr, nr } = genome;
  // Blocks are whole tiles, so only a dimension's last block has a short tile; a genome
  // that says otherwise is rounded up rather than refused (the space never proposes one).
  const blocks = { m: roundUp(genome.mc, mr), k: genome.kc, n: roundUp(genome.nc, nr) };
  const mTail = m % mr;
  const nTail = n % nr;
  const epilogue = epilogueParts(problem.epilogue);
  const mode = genome.epilogue ?? 'fused';
  const fused = hasEpilogue(epilogue) && mode !== 'pass';
  const where = mode === 'tile' ? ('tile' as const) : ('registers' as const);
  const tileSizes: [number, number][] = [];
  const tile = (rows: number, cols: number) => {
    if (fused && where === 'tile') tileSizes.push([rows, cols]);
    return tileFunc({ rows, cols, packA: genome.packA, packB: genome.packB !== false, kUnroll: genome.kUnroll, fma: genome.fma, aBroadcast: genome.aBroadcast ?? 'splat', addressing: genome.addressing ?? 'offset', aLoad: genome.aLoad ?? 'on-the-fly', kLoop: genome.kLoop ?? 'count', lda, n, ...(fused ? { epilogue: { spec: epilogue, where } } : {}) });
  };
  const tiles = [tile(mr, nr)];
  if (mTail) tiles.push(tile(mTail, nr));
  if (nTail) tiles.push(tile(mr, nTail));
  if (mTail && nTail) tiles.push(tile(mTail, nTail));
  const atLoad = genome.packB === 'load';
  const prepare = atLoad && wrap.prepare !== null ? prepareFunc(genome, problem, wrap.prepare ?? '(export "prepare")') : '';
  const packs = [
    genome.packA ? (genome.aBroadcast === 'k-shuffle' ? packAK4Func : packAFunc)({ width: mr, tail: mTail, lda, n }) : '',
    genome.packB === true || prepare ? packBFunc({ width: nr, tail: nTail, lda, n }) : '',
    prepare,
  ].filter(Boolean);

  const passes = fused
    ? where === 'tile'
      ? [...new Map(tileSizes.map(([r, c]) => [`${r}x${c}`, tileEpilogueFunc(r, c, n, epilogue)])).values()]
      : []
    : epiloguePasses(epilogue, m, n).funcs;
  const extras = [epilogueGlobals(epilogue), activationFuncs(epilogue.activation), ...passes].filter(Boolean);
  return `;; kevo matmul ${m}x${n}x${k} f32: C[${m},${n}] = ${problem.epilogue ? `${problem.epilogue.join(' -> ')} of ` : ''}A[${m},${k}] x B[${k},${n}]
;; genome: ${mr}x${nr} register tile, k unroll ${genome.kUnroll}, blocks mc ${blocks.m} kc ${blocks.k} nc ${blocks.n},
;;         loop order ${genome.loopOrder}, ${genome.packA ? 'A packed' : 'A unpacked'}, ${atLoad ? 'B packed at load time' : genome.packB ? 'B packed' : 'B unpacked'}, ${genome.fma ? 'relaxed_madd (FMA)' : 'mul + add'}${hasEpilogue(epilogue) ? `, epilogue ${!fused ? 'one pass over C per stage' : where === 'tile' ? 'on each stored tile' : 'fused in registers'}` : ''}
(module
  (import "env" "memory" (memory 1))
${extras.length ? `\n${indent(extras.join('\n\n'), 1)}\n` : ''}
${indent(tiles.join('\n\n'), 1)}

${indent(blockFunc(genome, problem, lda, mTail, nTail, fused), 1)}
${packs.length ? `\n${indent(packs.join('\n\n'), 1)}\n` : ''}
${indent(entryFunc(genome, problem, { lda, accumulate: layout.accumulate ?? false }, blocks, epilogue, fused, wrap.entry), 1)}${wrap.funcs.length ? `\n\n${indent(wrap.funcs.join('\n\n'), 1)}` : ''})
`;
}

/** The tiles of one cache block: column strips outer, so one B strip stays in L1 across every row panel. */
function blockFunc(genome: MatmulWasmGenome, problem: MatmulProblem, lda: number, mTail: number, nTail: number, fused: boolean): string {
  const { n } = problem.shape;
  const { mr, nr } = genome;
  const aAt = genome.packA ? `(i32.mul ${get('ir')} (i32.shl ${get('depth')} (i32.const 2)))` : `(i32.mul ${get('ir')} ${i32(lda * 4)})`;
  const bAt = genome.packB ? `(i32.mul ${get('jr')} (i32.shl ${get('depth')} (i32.const 2)))` : `(i32.shl ${get('jr')} (i32.const 2))`;
  const call = (rows: number, cols: number) =>
    `(call ${tileName(rows, cols)}
  (i32.add ${get('a')} ${aAt})
  (i32.add ${get('b')} ${bAt})
  (i32.add ${get('c')} (i32.shl (i32.add (i32.mul ${get('ir')} ${i32(n)}) ${get('jr')}) (i32.const 2)))
  ${get('depth')} ${get('first')}${fused ? ` ${get('last')}` : ''})`;
  /** Every row panel of one column strip `cols` wide. */
  const rowPanels = (cols: number) => {
    const lastRows = mTail
      ? `
;; the last ${mTail} rows of M
(if (i32.lt_u ${get('mFull')} ${get('rows')})
  (then
    (local.set $ir ${get('mFull')})
${indent(call(mTail, cols), 2)}))`
      : '';
    return `(local.set $ir (i32.const 0))
(block $rows_done
  (br_if $rows_done (i32.eqz ${get('mFull')}))
  (loop $row_panels ;; ${mr}-row panels
${indent(call(mr, cols), 2)}
    (local.set $ir (i32.add ${get('ir')} ${i32(mr)}))
    (br_if $row_panels (i32.lt_u ${get('ir')} ${get('mFull')}))))${lastRows}`;
  };
  const lastCols = nTail
    ? `
  ;; the last ${nTail} columns of N
  (if (i32.lt_u ${get('nFull')} ${get('cols')})
    (then
      (local.set $jr ${get('nFull')})
${indent(rowPanels(nTail), 3)}))`
    : '';
  return `;; one cache block: rows x cols of C over depth steps of k; A and B as the entry point passes them
(func $block (param $a i32) (param $b i32) (param $c i32) (param $rows i32) (param $cols i32) (param $depth i32) (param $first i32)${fused ? ' (param $last i32)' : ''}
  (local $ir i32) (local $jr i32) (local $mFull i32) (local $nFull i32)
  (local.set $mFull (i32.sub ${get('rows')} (i32.rem_u ${get('rows')} ${i32(mr)})))
  (local.set $nFull (i32.sub ${get('cols')} (i32.rem_u ${get('cols')} ${i32(nr)})))
  (local.set $jr (i32.const 0))
  (block $cols_done
    (br_if $cols_done (i32.eqz ${get('nFull')}))
    (loop $col_strips ;; ${nr}-column strips
${indent(rowPanels(nr), 3)}
      (local.set $jr (i32.add ${get('jr')} ${i32(nr)}))
      (br_if $col_strips (i32.lt_u ${get('jr')} ${get('nFull')}))))${lastCols})`;
}

type Dim = 'm' | 'k' | 'n';

const blockLoop: Record<Dim, { origin: string; extent: string; label: string; what: string }> = {
  m: { origin: 'ic', extent: 'mcb', label: '$m_blocks', what: 'rows' },
  k: { origin: 'pc', extent: 'kcb', label: '$k_blocks', what: 'steps' },
  n: { origin: 'jc', extent: 'ncb', label: '$n_blocks', what: 'columns' },
};

/** The exported entry: the three block loops in the genome's order, packing each block as soon as its loops fix it. */
function entryFunc(genome: MatmulWasmGenome, problem: MatmulProblem, layout: Required<ALayout>, blocks: Record<Dim, number>, epilogue: EpilogueSpec, fused: boolean, entry: string): string {
  const { m, n, k } = problem.shape;
  const total: Record<Dim, number> = { m, k, n };
  const order = [...genome.loopOrder] as Dim[];
  const aSource = `(i32.add ${get('a')} (i32.shl (i32.add (i32.mul ${get('ic')} ${i32(layout.lda)}) ${get('pc')}) (i32.const 2)))`;
  const bSource = `(i32.add ${get('b')} (i32.shl (i32.add (i32.mul ${get('pc')} ${i32(n)}) ${get('jc')}) (i32.const 2)))`;
  const prepareA = genome.packA
    ? `;; pack this A block (the workspace's first M*K floats)
(call $pack_a ${aSource} ${get('ws')} ${get('mcb')} ${get('kcb')})
(local.set $aBlock ${get('ws')})`
    : `(local.set $aBlock ${aSource})`;
  // B packed at load time: this block's panels are where prepareFunc put them
  const loadedB = `(local.set $bBlock (i32.add ${get('packed')} (i32.shl (i32.add (i32.mul ${get('pc')} ${i32(n)}) (i32.mul ${get('jc')} ${get('kcb')})) (i32.const 2))))`;
  const prepareB = genome.packB === 'load'
    ? loadedB
    : genome.packB
    ? `;; pack this B block (the workspace after A's part)
(call $pack_b ${bSource} (i32.add ${get('ws')} ${i32(m * k * 4)}) ${get('ncb')} ${get('kcb')})
(local.set $bBlock (i32.add ${get('ws')} ${i32(m * k * 4)}))`
    : `(local.set $bBlock ${bSource})`;
  // A K block starts its tile from zero only at K's origin, and (accumulating) only when the caller says C holds nothing yet.
  const first = layout.accumulate ? `(i32.and (i32.eqz ${get('pc')}) (i32.eqz ${get('accumulate')}))` : `(i32.eqz ${get('pc')})`;
  const callBlock = `(call $block ${get('aBlock')} ${get('bBlock')}
  (i32.add ${get('c')} (i32.shl (i32.add (i32.mul ${get('ic')} ${i32(n)}) ${get('jc')}) (i32.const 2)))
  ${get('mcb')} ${get('ncb')} ${get('kcb')} ${first}${fused ? ` (i32.ge_u (i32.add ${get('pc')} ${get('kcb')}) ${i32(k)})` : ''})`;

  const nest = (level: number): string => {
    if (level === order.length) return callBlock;
    const dim = order[level]!;
    const { origin, extent, label, what } = blockLoop[dim];
    const bound = new Set(order.slice(0, level + 1));
    const justBound = (a: Dim, b: Dim) => bound.has(a) && bound.has(b) && (dim === a || dim === b);
    const prepare = [justBound('m', 'k') ? prepareA : '', justBound('k', 'n') ? prepareB : ''].filter(Boolean).join('\n');
    const size = blocks[dim];
    return `;; ${dim.toUpperCase()} blocks of ${size} ${what}
(local.set $${origin} (i32.const 0))
(loop ${label}
  (local.set $${extent} (select ${i32(size)} (i32.sub ${i32(total[dim])} ${get(origin)}) (i32.lt_u ${i32(size)} (i32.sub ${i32(total[dim])} ${get(origin)}))))
${prepare ? `${indent(prepare, 1)}\n` : ''}${indent(nest(level + 1), 1)}
  (local.set $${origin} (i32.add ${get(origin)} ${i32(size)}))
  (br_if ${label} (i32.lt_u ${get(origin)} ${i32(total[dim])})))`;
  };

  const before = saveEpiloguePointers(epilogue);
  const after = fused ? '' : epiloguePasses(epilogue, m, n).calls;
  return `(func ${entry} (param $a i32) (param $b i32) ${epilogueParams(epilogue)} (param $c i32) (param $ws i32)${layout.accumulate ? ' (param $accumulate i32)' : ''}${genome.packB === 'load' ? ' (param $packed i32)' : ''}
  (local $ic i32) (local $pc i32) (local $jc i32) ;; block origins in M, K, N
  (local $mcb i32) (local $kcb i32) (local $ncb i32) ;; block sizes: the last block of a dimension may be short
  (local $aBlock i32) (local $bBlock i32) ;; where the current block's A and B are read from
${indent([before, nest(0), after].filter(Boolean).join('\n'), 1)})`;
}

/**
 * The load-time entry of B packed at load (prepare: B's offset, then the
 * packed region's): K blocks of kc rows one after another, each its rows'
 * nr-column panels across the whole of N ([k][col], the last N % nr wide),
 * so the per-call loops' block (pc, jc) lies packed at pc*N + jc*kcb floats,
 * exactly as $pack_b would have written it into the workspace.
 */
function prepareFunc(genome: MatmulWasmGenome, problem: MatmulProblem, head: string): string {
  const { n, k } = problem.shape;
  return `;; load time: B into the panels every call reads, K block by K block
(func ${head} (param $b i32) (param $packed i32)
  (local $pc i32) (local $kcb i32) (local $at i32)
  (loop $k_blocks
    (local.set $kcb (select ${i32(genome.kc)} (i32.sub ${i32(k)} ${get('pc')}) (i32.lt_u ${i32(genome.kc)} (i32.sub ${i32(k)} ${get('pc')}))))
    (local.set $at (i32.mul ${get('pc')} ${i32(n * 4)}))
    (call $pack_b (i32.add ${get('b')} ${get('at')}) (i32.add ${get('packed')} ${get('at')}) ${i32(n)} ${get('kcb')})
    (local.set $pc (i32.add ${get('pc')} ${i32(genome.kc)}))
    (br_if $k_blocks (i32.lt_u ${get('pc')} ${i32(k)}))))`;
}

/** The load-time step of a genome that packs B at load (its launch's prepare), or undefined: B packed per call or read as it lies. */
export function bPackedAtLoad(genome: MatmulWasmGenome, problem: MatmulProblem): PrepareRequest | undefined {
  if (genome.packB !== 'load') return undefined;
  const b = matmul.inputs(problem).findIndex((t) => t.name === 'B');
  return { entry: 'prepare', weights: [b], packedBytes: 4 * problem.shape.k * problem.shape.n };
}
