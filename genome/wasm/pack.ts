import { addConst, get, i32, offsetArg, indent, loadLanes, storeLanes, vectorLanes } from './wat.ts';

/**
 * Packing copies a block of A or B into the workspace in the exact order the
 * register tiles read it (one panel per tile row or column strip, k-major
 * inside), so the k loop walks memory with unit stride. Panels are not
 * padded: the last one is only as wide as what is left, and the tile that
 * reads it has that width baked in.
 */
export interface PackSpec {
  /** Panel width: mr for A, nr for B. */
  readonly width: number;
  /** Width of the last, short panel (M % mr or N % nr), 0 if every panel is full. */
  readonly tail: number;
  /** Row strides in floats: A's (K, or the caller's lda) and B's (N). */
  readonly lda: number;
  readonly n: number;
}

/** A[rows, depth] (row stride lda) -> panels of `width` rows, each stored as [k][row]. */
export function packAFunc(spec: PackSpec): string {
  return packFunc('$pack_a', 'rows', spec, (width) => kStepPanel(copyARows(width, spec.lda), spec.lda * 4, 4, width * 4));
}

/**
 * A[rows, depth] -> panels of `width` rows, each stored as [k/4][row][4]
 * (a row's four consecutive k in one v128), then the last depth % 4 k as
 * [k][row]: the order of the k-shuffle tile, which loads each row's group
 * of four once and shuffles every step's broadcast out of it.
 */
export function packAK4Func(spec: PackSpec): string {
  const panel = (width: number) => `(local.set $from (i32.add ${get('src')} (i32.mul ${get('at')} ${i32(spec.lda * 4)})))
(local.set $k ${get('depth')})
(block $groups_done
  (br_if $groups_done (i32.lt_u ${get('k')} (i32.const 4)))
  (loop $groups
${indent(Array.from({ length: width }, (_, r) => `(v128.store${offsetArg(r * 16)} ${get('dst')} (v128.load${offsetArg(r * spec.lda * 4)} ${get('from')}))`).join('\n'), 2)}
${indent([addConst('from', 16), addConst('dst', width * 16)].join('\n'), 2)}
    (local.set $k (i32.sub ${get('k')} (i32.const 4)))
    (br_if $groups (i32.ge_u ${get('k')} (i32.const 4)))))
(block $rest_done
  (br_if $rest_done (i32.eqz ${get('k')}))
${indent(kLoop(copyARows(width, spec.lda), 4, width * 4), 1)})`;
  return packFunc('$pack_a', 'rows', spec, panel);
}

/** B[depth, cols] (row stride N) -> panels of `width` columns, each stored as [k][col]. */
export function packBFunc(spec: PackSpec): string {
  const copyPanel = (width: number) =>
    vectorLanes(width)
      .map((l, v) => `(local.set $lanes ${loadLanes(l, get('from'), v * 16)})\n${storeLanes(l, get('dst'), v * 16, get('lanes'))}`)
      .join('\n');
  return packFunc('$pack_b', 'cols', spec, (width) => kStepPanel(copyPanel(width), 4, spec.n * 4, width * 4));
}

/** One k of `width` rows of A, each from its own row of stride lda. */
const copyARows = (width: number, lda: number) =>
  Array.from({ length: width }, (_, r) => `(f32.store${offsetArg(r * 4)} ${get('dst')} (f32.load${offsetArg(r * lda * 4)} ${get('from')}))`).join('\n');

/** Copy one k at a time while $k lasts ($k >= 1). */
const kLoop = (copyOneK: string, fromStepBytes: number, dstStepBytes: number) => `(loop $k
${indent(copyOneK, 1)}
${indent(addConst('from', fromStepBytes), 1)}
${indent(addConst('dst', dstStepBytes), 1)}
  (local.set $k (i32.sub ${get('k')} (i32.const 1)))
  (br_if $k ${get('k')}))`;

/** A panel copied k by k, starting at panel `$at`. */
const kStepPanel = (copyOneK: string, panelStrideBytes: number, fromStepBytes: number, dstStepBytes: number) => `(local.set $from (i32.add ${get('src')} (i32.mul ${get('at')} ${i32(panelStrideBytes)})))
(local.set $k ${get('depth')})
${kLoop(copyOneK, fromStepBytes, dstStepBytes)}`;

function packFunc(name: string, extent: 'rows' | 'cols', spec: PackSpec, panel: (width: number) => string): string {
  const tail =
    spec.tail === 0
      ? ''
      : `
  ;; the last, ${spec.tail}-wide panel (only the last block of the dimension has one)
  (if (i32.lt_u ${get('full')} ${get(extent)})
    (then
      (local.set $at ${get('full')})
${indent(panel(spec.tail), 3)}))`;
  return `;; pack a block into ${spec.width}-wide panels: ${extent} x depth in, panels of [k][${spec.width}] out
(func ${name} (param $src i32) (param $dst i32) (param $${extent} i32) (param $depth i32)
  (local $at i32) (local $full i32) (local $k i32) (local $from i32)${extent === 'cols' ? ' (local $lanes v128)' : ''}
  (local.set $full (i32.sub ${get(extent)} (i32.rem_u ${get(extent)} ${i32(spec.width)})))
  ;; full panels
  (block $panels_done
    (br_if $panels_done (i32.eqz ${get('full')}))
    (loop $panels
${indent(panel(spec.width), 3)}
      ${addConst('at', spec.width)}
      (br_if $panels (i32.lt_u ${get('at')} ${get('full')}))))${tail})`;
}
