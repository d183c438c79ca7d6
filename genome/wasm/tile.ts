import { applyEpilogue, hasEpilogue, tileEpilogueAddresses, type EpilogueSpec } from './epilogue.ts';
import { addConst, get, offsetArg, i32, indent, loadLanes, multiplyAdd, storeLanes, vectorLanes } from './wat.ts';

/** One register tile: how big it is and how it finds its A, B and C. */
export interface TileSpec {
  readonly rows: number;
  readonly cols: number;
  /** A comes packed (per k, `rows` consecutive f32) or straight from row-major A[M,K]. */
  readonly packA: boolean;
  /** B comes packed (per k, `cols` consecutive f32) or straight from row-major B[K,N]. */
  readonly packB: boolean;
  readonly kUnroll: number;
  readonly fma: boolean;
  /**
   * Broadcast A per row with load32_splat, or (A packed only) shuffle it out
   * of one v128 load per four rows, or out of one v128 load of a row's next
   * four k (packed A in pack.ts's k4 layout).
   */
  readonly aBroadcast: 'splat' | 'shuffle' | 'k-shuffle';
  /** An unrolled k loop's steps at constant offsets from A and B (offset) or each after a bump of both pointers (bump). */
  readonly addressing: 'offset' | 'bump';
  /** A's broadcasts read row by row between the multiply-adds (on-the-fly) or all before them (preload). */
  readonly aLoad: 'on-the-fly' | 'preload';
  /** The k loop counts its steps down (count) or runs until B's pointer reaches its end (end). */
  readonly kLoop: 'count' | 'end';
  /** Row strides in floats: of unpacked A (K, or the caller's lda), and of unpacked B and C (N). */
  readonly lda: number;
  readonly n: number;
  /**
   * The last K block's epilogue: in registers before the store, or by a call
   * to the tile's epilogue function on the just-stored (L1-hot) tile. Absent: none.
   */
  readonly epilogue?: { readonly spec: EpilogueSpec; readonly where: 'registers' | 'tile' };
}

export const tileName = (rows: number, cols: number) => `$tile_${rows}x${cols}`;

const acc = (row: number, vec: number) => `c${row}_${vec}`;

/**
 * The micro-kernel: C[rows, cols] (+)= A[rows, depth] x B[depth, cols], with
 * the whole C tile held in v128 locals for the length of the k loop. It is a
 * function of its own because V8 tiers a function up between calls: the
 * block loops call it thousands of times, so it runs optimised after the first few.
 */
export function tileFunc(spec: TileSpec): string {
  const { rows, cols, kUnroll } = spec;
  const lanes = vectorLanes(cols);
  const aRowBytes = spec.packA ? 4 : spec.lda * 4;
  const aStepBytes = spec.packA ? rows * 4 : 4;
  const bStepBytes = spec.packB ? cols * 4 : spec.n * 4;
  const cRowBytes = spec.n * 4;
  const forTile = (emit: (row: number, vec: number, lanes: number) => string) =>
    Array.from({ length: rows }, (_, r) => lanes.map((l, v) => emit(r, v, l)).join('\n')).join('\n');

  const fused = spec.epilogue?.where === 'registers' && hasEpilogue(spec.epilogue.spec) ? spec.epilogue.spec : null;
  const afterStore = spec.epilogue?.where === 'tile' && hasEpilogue(spec.epilogue.spec);

  if (spec.aBroadcast === 'shuffle' && !spec.packA) throw new RangeError('aBroadcast shuffle needs A packed: its rows must be consecutive');
  const byEnd = spec.kLoop === 'end';
  const kShuffle = spec.aBroadcast === 'k-shuffle';
  if (kShuffle && (kUnroll !== 1 || spec.addressing !== 'offset' || byEnd)) throw new RangeError('aBroadcast k-shuffle steps k four at a time itself: it takes kUnroll 1, offset addressing and a counted k loop');
  /** Rows whose A values come out of a v128 load of four: only whole groups of four, so no load reads past the panel. */
  const shuffledRows = spec.aBroadcast === 'shuffle' ? rows - (rows % 4) : 0;
  const locals = [
    `${Array.from({ length: rows }, (_, r) => lanes.map((_, v) => `(local $${acc(r, v)} v128)`).join(' ')).join(' ')} ;; the C tile: row, column vector`,
    `${lanes.map((_, v) => `(local $b${v} v128)`).join(' ')} ;; one k-row of B across the tile`,
    spec.aLoad === 'preload'
      ? `${Array.from({ length: rows }, (_, r) => `(local $a${r} v128)`).join(' ')} ;; A[i, k] of every row, broadcast to four lanes`
      : `(local $ai v128) ;; A[i, k] broadcast to four lanes`,
    ...Array.from({ length: shuffledRows / 4 }, (_, q) => `(local $a4_${q} v128) ;; A[${4 * q}..${4 * q + 3}, k], shuffled out one row at a time`),
    ...(kShuffle ? [`${Array.from({ length: rows }, (_, r) => `(local $ak${r} v128)`).join(' ')} ;; A[row, k..k+3], shuffled out one step at a time`] : []),
    ...(fused ? ['(local $bj i32) (local $rd i32) ;; this tile\'s first bias element and R element'] : []),
    ...(byEnd ? [`(local $bEnd i32)${kUnroll > 1 ? ' (local $bEndUnrolled i32)' : ''} ;; where B's pointer stands after the last step (of the unrolled loop)`] : []),
  ].join('\n');

  const loadC = forTile((r, v, l) => `(local.set $${acc(r, v)} ${loadLanes(l, get('c'), r * cRowBytes + v * 16)})`);
  const storeC = forTile((r, v, l) => storeLanes(l, get('c'), r * cRowBytes + v * 16, get(acc(r, v))));
  const at = tileEpilogueAddresses(spec.n);
  const storeFused = fused
    ? [at.setup, forTile((r, v, l) => storeLanes(l, get('c'), r * cRowBytes + v * 16, applyEpilogue(fused, get(acc(r, v)), l, at.bias(v * 16), at.residual(r * cRowBytes + v * 16))))].join('\n')
    : '';
  const writeBack = fused
    ? `;; the last K block applies the epilogue in registers on the way out
(if ${get('last')}
  (then
${indent(storeFused, 2)})
  (else
${indent(storeC, 2)}))`
    : afterStore
      ? `${storeC}
;; the last K block's tile goes through the epilogue while it is still in L1
(if ${get('last')} (then (call ${tileEpilogueName(rows, cols)} ${get('c')})))`
      : storeC;

  /**
   * One rank-1 update of the tile, k steps past the pointers; `fromK4`: step
   * u of a four-step group, A's broadcasts shuffled out of the group's loads.
   */
  const step = (u: number, fromK4 = false) => {
    const aLocal = (r: number) => (spec.aLoad === 'preload' ? `a${r}` : 'ai');
    const broadcast = (r: number) =>
      fromK4
        ? laneSplat(get(`ak${r}`), u)
        : r < shuffledRows
          ? laneSplat(get(`a4_${Math.floor(r / 4)}`), r % 4)
          : `(v128.load32_splat${offsetArg(u * aStepBytes + r * aRowBytes)} ${get('a')})`;
    const loadA = (r: number) => [
      ...(!fromK4 && r < shuffledRows && r % 4 === 0 ? [`(local.set $a4_${r / 4} (v128.load${offsetArg(u * aStepBytes + r * aRowBytes)} ${get('a')}))`] : []),
      `(local.set $${aLocal(r)} ${broadcast(r)})`,
    ];
    const multiplyRow = (r: number) => lanes.map((_, v) => `(local.set $${acc(r, v)} ${multiplyAdd(spec.fma, get(aLocal(r)), get(`b${v}`), get(acc(r, v)))})`);
    const rowsOf = (emit: (r: number) => string[]) => Array.from({ length: rows }, (_, r) => emit(r)).flat();
    const arithmetic = spec.aLoad === 'preload' ? [...rowsOf(loadA), ...rowsOf(multiplyRow)] : rowsOf((r) => [...loadA(r), ...multiplyRow(r)]);
    return [...lanes.map((l, v) => `(local.set $b${v} ${loadLanes(l, get('b'), u * bStepBytes + v * 16)})`), ...arithmetic].join('\n');
  };

  const bump = (steps: number) => [addConst('a', steps * aStepBytes), addConst('b', steps * bStepBytes)].join('\n');
  // counting, $depth goes down with the steps; by the end pointer, B's own bump is the count
  const countDown = (steps: number) => (byEnd ? [] : [`(local.set $depth (i32.sub ${get('depth')} ${i32(steps)}))`]);
  const advance = (steps: number) => [bump(steps), ...countDown(steps)].join('\n');
  const bAfter = (steps: string) => `(i32.add ${get('b')} (i32.mul ${steps} ${i32(bStepBytes)}))`;
  const more = { single: byEnd ? `(i32.ne ${get('b')} ${get('bEnd')})` : get('depth'), unrolled: byEnd ? `(i32.ne ${get('b')} ${get('bEndUnrolled')})` : `(i32.ge_u ${get('depth')} ${i32(kUnroll)})` };
  const none = { unrolled: byEnd ? `(i32.eq ${get('b')} ${get('bEndUnrolled')})` : `(i32.lt_u ${get('depth')} ${i32(kUnroll)})`, single: byEnd ? `(i32.eq ${get('b')} ${get('bEnd')})` : `(i32.eqz ${get('depth')})` };
  const ends = byEnd
    ? [`(local.set $bEnd ${bAfter(get('depth'))})`, ...(kUnroll > 1 ? [`(local.set $bEndUnrolled ${bAfter(`(i32.sub ${get('depth')} (i32.rem_u ${get('depth')} ${i32(kUnroll)}))`)})`] : [])].join('\n')
    : '';
  const unrolledBody =
    spec.addressing === 'bump'
      ? [...Array.from({ length: kUnroll }, () => [step(0), bump(1)].join('\n')), ...countDown(kUnroll)].join('\n')
      : [...Array.from({ length: kUnroll }, (_, u) => step(u)), advance(kUnroll)].join('\n');

  const singleLoop = (label: string) => `(loop ${label}
${indent(step(0), 1)}
${indent(advance(1), 1)}
  (br_if ${label} ${more.single}))`;

  const loopForm = byEnd ? ', until B reaches its end' : '';
  // k-shuffle: A of the group's four steps in one load per row (packed: [k/4][row][4]; unpacked: a row's next four k)
  const groupRowBytes = spec.packA ? 16 : spec.lda * 4;
  const groupBytes = spec.packA ? rows * 16 : 16;
  const k4Loops = `;; k in groups of four: each row's four A values in one load, each step's broadcast shuffled out of it
(block $k4_done
  (br_if $k4_done (i32.lt_u ${get('depth')} (i32.const 4)))
  (loop $k4
${indent(Array.from({ length: rows }, (_, r) => `(local.set $ak${r} (v128.load${offsetArg(r * groupRowBytes)} ${get('a')}))`).join('\n'), 2)}
${indent(Array.from({ length: 4 }, (_, u) => step(u, true)).join('\n'), 2)}
${indent([addConst('a', groupBytes), addConst('b', 4 * bStepBytes), `(local.set $depth (i32.sub ${get('depth')} (i32.const 4)))`].join('\n'), 2)}
    (br_if $k4 (i32.ge_u ${get('depth')} (i32.const 4)))))
;; the last depth % 4 steps of k, A one broadcast per row
(block $k_done
  (br_if $k_done (i32.eqz ${get('depth')}))
${indent(singleLoop('$k'), 1)})`;
  const kLoops = kShuffle ? k4Loops : `${ends ? `${ends}\n` : ''}${
    kUnroll === 1
      ? `;; k loop: one rank-1 update per step ($depth >= 1 always)${loopForm}
${singleLoop('$k')}`
      : `;; k loop unrolled ${kUnroll} times${spec.addressing === 'bump' ? ', A and B bumped after every step' : ''}${loopForm}
(block $k_unrolled_done
  (br_if $k_unrolled_done ${none.unrolled})
  (loop $k_unrolled
${indent(unrolledBody, 2)}
    (br_if $k_unrolled ${more.unrolled})))
;; the last depth % ${kUnroll} steps of k
(block $k_done
  (br_if $k_done ${none.single})
${indent(singleLoop('$k'), 1)})`
  }`;

  return `;; register tile ${rows}x${cols}: ${rows * lanes.length} accumulators, A ${spec.packA ? 'packed' : 'unpacked'}${shuffledRows ? `, A of ${shuffledRows} rows shuffled out of v128 loads` : ''}${kShuffle ? ', A of four k shuffled out of one load per row' : ''}, B ${spec.packB ? 'packed' : 'unpacked'}
(func ${tileName(rows, cols)} (param $a i32) (param $b i32) (param $c i32) (param $depth i32) (param $first i32)${spec.epilogue ? ' (param $last i32)' : ''}
${indent(locals, 1)}
  ;; the first K block starts from zero (locals start at zero); later ones continue the sums in C
  (if (i32.eqz ${get('first')})
    (then
${indent(loadC, 3)}))
${indent(kLoops, 1)}
  ;; write the tile back
${indent(writeBack, 1)})`;
}

/** f32 lane `lane` of `vector` in all four lanes: an i8x16.shuffle V8 lowers to one pshufd. */
function laneSplat(vector: string, lane: number): string {
  const bytes = Array.from({ length: 16 }, (_, i) => 4 * lane + (i % 4)).join(' ');
  return `(i8x16.shuffle ${bytes} ${vector} ${vector})`;
}

export const tileEpilogueName = (rows: number, cols: number) => `$tile_epilogue_${rows}x${cols}`;

/**
 * The epilogue over one stored rows x cols tile of C: a function of its own,
 * so the register tile's k loop stays as small as without one (inlined, the
 * epilogue's temporaries made V8 spill accumulators and ran at 0.6x).
 */
export function tileEpilogueFunc(rows: number, cols: number, n: number, epilogue: EpilogueSpec): string {
  const at = tileEpilogueAddresses(n);
  const cRowBytes = n * 4;
  const body = Array.from({ length: rows }, (_, r) =>
    vectorLanes(cols)
      .map((l, v) => storeLanes(l, get('c'), r * cRowBytes + v * 16, applyEpilogue(epilogue, loadLanes(l, get('c'), r * cRowBytes + v * 16), l, at.bias(v * 16), at.residual(r * cRowBytes + v * 16))))
      .join('\n'),
  ).join('\n');
  return `;; epilogue over a stored ${rows}x${cols} tile of C
(func ${tileEpilogueName(rows, cols)} (param $c i32) (local $bj i32) (local $rd i32)
${indent([at.setup, body].join('\n'), 1)})`;
}
