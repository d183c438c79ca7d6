import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import type { MatmulInt8WasmGenome } from './genome.ts';
import { exponentFunctions, exponentParams, scaleCall } from './exponents.ts';
import { packedA, packedB } from './layout.ts';

const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const get = (name: string) => `(local.get $${name})`;
const i32 = (value: number) => `(i32.const ${value})`;
/** i8x16.shuffle picking 32-bit lanes: 0-3 of `a`, 4-7 of `b`. */
const shuffle32 = (a: string, b: string, lanes: readonly number[]) =>
  `(i8x16.shuffle ${lanes.flatMap((l) => range(4).map((byte) => 4 * l + byte)).join(' ')} ${a} ${b})`;
/** Four vectors' lanes summed: [sum of x0, sum of x1, sum of x2, sum of x3], by two rounds of interleave and add. */
function sumLanes([x0, x1, x2, x3]: readonly string[]): string {
  const half = (a: string, b: string) => `(i32x4.add ${shuffle32(a, b, [0, 4, 1, 5])} ${shuffle32(a, b, [2, 6, 3, 7])})`;
  const s01 = half(x0!, x1!);
  const s23 = half(x2!, x3!);
  return `(i32x4.add ${shuffle32(s01, s23, [0, 1, 4, 5])} ${shuffle32(s01, s23, [2, 3, 6, 7])})`;
}

/**
 * The kernel for a genome (see genome.ts): a `prepare` entry packs B (with
 * its zero point subtracted, dot16) into the launch's packed region at load
 * time, as XNNPACK packs weights when an operator is created; the `matmul`
 * entry then reads it, for every nr-column block and
 * every mr-row tile the k steps: a pair, two A values broadcast per row (c2),
 * or 8 k of a row against 8 k of a column (c8, see genome.ts).
 * Rows past M read row M-1 (packed A: rows of the padded workspace) and are
 * not stored; columns past N multiply packed zeros and are stored lane by
 * lane up to N; k past K (odd K, unroll padding) multiplies packed zeros, so
 * whatever A holds there adds nothing.
 * i16 with block exponents sums each block's steps in the accumulators and,
 * at the block's end, adds them times the block's factor into totals (the
 * space keeps kUnroll steps a divisor of a block, so no step straddles two).
 */
export function int8MatmulWat(g: MatmulInt8WasmGenome, p: MatmulProblem): string {
  const { m, n, k } = p.shape;
  const zp = p.dtype === 'u8i8';
  // i16 (dynamic fixed point mantissas) needs no widening: a k pair of A is one 32-bit lane as it lies in memory.
  const wide = p.dtype === 'i16';
  const aBytes = wide ? 2 : 1;
  const pack = packedB(g, p);
  const packA = g.packA === true && g.instruction === 'dot16' ? packedA(p) : null;
  const c8 = g.c8 === true && packA !== null;
  const narrow = g.narrowB === true && packA !== null && !wide;
  // u8i8 with B in bytes: C = (A - za) . B - zb x (row sum of A - za), the row sums written after packed A.
  const rowSums = narrow && zp ? packA!.bytes : null;
  const loadB = (offset: number) => `(${narrow ? 'v128.load8x8_s' : 'v128.load'} offset=${offset} ${get('bp')})`;
  // Bytes one k step of A takes: a pair's two bytes in place, two i16 packed (or i16 in place); c8's 8 i16.
  const aStepBytes = c8 ? 16 : packA || wide ? 4 : 2;
  // Packed A rows lie rowBytes apart: one pointer for the tile; in place, a pointer per row (rows past M clamped to M-1).
  const aPointers = packA ? ['ap'] : range(g.mr).map((r) => `ap${r}`);
  // Accumulators per row: a vector per 4 columns, or with c8 a vector per column (its 4 lanes summed at the store).
  const accs = c8 ? g.nr : g.nr / 4;
  const bVectors = c8 ? 1 : g.instruction === 'dot16' ? g.nr / 4 : g.nr / 8;
  const block = p.exponentBlock;
  const params = zp ? '(param $a i32) (param $za i32) (param $b i32) (param $zb i32)' : block ? exponentParams : '(param $a i32) (param $b i32)';
  const weightParams = zp ? '(param $b i32) (param $zb i32)' : '(param $b i32)';
  /** What the tile stores: the accumulators, or with block exponents the totals they fold into. */
  const result = block ? 't' : 'c';
  const locals = [
    '(local $jb i32) (local $i0 i32) (local $kp i32) (local $e i32) (local $kk i32) (local $j i32) (local $bp i32) (local $zbv i32) (local $zav v128) (local $va v128) (local $corr v128)',
    aPointers.map((ap) => `(local $${ap} i32)`).join(' '),
    range(g.mr).flatMap((r) => range(accs).map((v) => `(local $c${r}_${v} v128)`)).join(' '),
    range(bVectors).map((v) => `(local $b${v} v128)`).join(' '),
    c8 ? range(g.mr).map((r) => `(local $a${r} v128)`).join(' ') : '',
    ...(block ? ['(local $least i32) (local $fv v128)', range(g.mr).flatMap((r) => range(accs).map((v) => `(local $t${r}_${v} v128)`)).join(' ')] : []),
  ].join('\n    ');

  // One k pair of A for row r: two values in every 32-bit lane, widened to i16 (less the zero point) for dot16.
  const aPair = (r: number, u: number) => {
    if (packA) return `(v128.load32_splat offset=${r * packA.rowBytes + 4 * u} ${get('ap')})`;
    if (wide) return `(v128.load32_splat offset=${4 * u} ${get(`ap${r}`)})`;
    const load = `(v128.load16_splat offset=${2 * u} ${get(`ap${r}`)})`;
    if (g.instruction === 'extmul') return load;
    const widened = zp ? `(i16x8.extend_low_i8x16_u ${load})` : `(i16x8.extend_low_i8x16_s ${load})`;
    return zp ? `(i16x8.sub ${widened} ${get('zav')})` : widened;
  };
  const multiplyAdd = (r: number, v: number) => {
    const acc = `c${r}_${v}`;
    const product =
      g.instruction === 'dot16'
        ? `(i32x4.dot_i16x8_s ${get('va')} ${get(`b${v}`)})`
        : `(i32x4.extadd_pairwise_i16x8_s (i16x8.extmul_${v % 2 === 0 ? 'low' : 'high'}_i8x16_s ${get('va')} ${get(`b${v >> 1}`)}))`;
    return `(local.set $${acc} (i32x4.add ${get(acc)} ${product}))`;
  };
  // c8: each row's 8 k loaded once; then column by column, one B vector against every row.
  const stepC8 = (u: number) =>
    [
      ...range(g.mr).map((r) => `(local.set $a${r} (v128.load offset=${r * packA!.rowBytes + 16 * u} ${get('ap')}))`),
      ...range(g.nr).flatMap((v) => [
        `(local.set $b0 ${loadB(u * pack.stepBytes + v * pack.vectorBytes)})`,
        ...range(g.mr).map((r) => `(local.set $c${r}_${v} (i32x4.add ${get(`c${r}_${v}`)} (i32x4.dot_i16x8_s ${get(`a${r}`)} ${get('b0')})))`),
      ]),
    ].join('\n          ');
  const step = (u: number) =>
    c8 ? stepC8(u) : [
      ...range(bVectors).map((v) => `(local.set $b${v} ${loadB(u * pack.stepBytes + v * pack.vectorBytes)})`),
      ...range(g.mr).flatMap((r) => [`(local.set $va ${aPair(r, u)})`, ...range(accs).map((v) => multiplyAdd(r, v))]),
    ].join('\n          ');

  /** Row r's output vector v (columns 4v..4v+3) into $va: an accumulator, or with c8 four columns' summed across lanes; less the row's zero-point term. */
  const outputVector = (r: number, v: number) => {
    const sum = c8 ? sumLanes(range(4).map((c) => get(`${result}${r}_${4 * v + c}`))) : get(`${result}${r}_${v}`);
    return `(local.set $va ${rowSums === null ? sum : `(i32x4.sub ${sum} ${get('corr')})`})`;
  };
  const stored = () => get('va');
  const store = (r: number) => {
    const row = `(i32.add ${get('i0')} ${i32(r)})`;
    const correction = rowSums === null ? '' : `(local.set $corr (i32x4.splat (i32.mul ${get('zbv')} (i32.load offset=${rowSums} (i32.add ${get('ws')} (i32.shl ${row} (i32.const 2)))))))`;
    const vectors = range(g.nr / 4).map((v) => {
      const col = `(i32.add ${get('j')} ${i32(4 * v)})`;
      const address = (lane: number) => `(i32.add ${get('c')} (i32.shl (i32.add (i32.mul ${row} ${i32(n)}) (i32.add ${col} ${i32(lane)})) (i32.const 2)))`;
      const lanes = range(4)
        .map((l) => `(if (i32.lt_u (i32.add ${col} ${i32(l)}) ${i32(n)}) (then (i32.store ${address(l)} (i32x4.extract_lane ${l} ${stored()}))))`)
        .join('\n              ');
      return `${outputVector(r, v)}
          (if (i32.le_u (i32.add ${col} (i32.const 4)) ${i32(n)})
            (then (v128.store ${address(0)} ${stored()}))
            (else
              ${lanes}))`;
    });
    return `(if (i32.lt_u ${row} ${i32(m)}) (then
          ${correction}
          ${vectors.join('\n          ')}))`;
  };

  const element = (index: string) => (wide ? `(i32.shl ${index} (i32.const 1))` : index);
  const bIndex = `(i32.add (i32.mul ${get('kk')} ${i32(n)}) ${get('j')})`;
  const byte = `(i32.load8_s (i32.add ${get('b')} ${bIndex}))`;
  const value = wide ? `(i32.load16_s (i32.add ${get('b')} ${element(bIndex)}))` : narrow ? byte : `(i32.sub ${byte} ${get('zbv')})`;
  const storePacked = pack.elementBytes === 2 ? 'i32.store16' : 'i32.store8';
  const aBase = packA ? get('ws') : get('a');
  const aRowBytes = packA ? packA.rowBytes : k * aBytes;
  // 8 values of a row at a time: widened (less the zero point) into 8 i16 lanes, one store (see packedA).
  const widen8 = (source: string) => (wide ? `(v128.load ${source})` : zp ? `(i16x8.sub (v128.load8x8_u ${source}) ${get('zav')})` : `(v128.load8x8_s ${source})`);
  // The row's values past K (the next row's, read by the last chunk) zeroed, then the row summed as i32.
  const rowSum = (a: { chunks: number; rowBytes: number }) => `${range(8 * a.chunks - k).map((t) => `(i32.store16 offset=${2 * (k + t)} ${get('bp')} (i32.const 0))`).join(' ')}
      (local.set $va (v128.const i32x4 0 0 0 0))
      (local.set $e (i32.const 0))
      (loop $rowSum
        (local.set $va (i32x4.add ${get('va')} (i32x4.extadd_pairwise_i16x8_s (v128.load (i32.add ${get('bp')} (i32.shl ${get('e')} (i32.const 4)))))))
        (local.set $e (i32.add ${get('e')} (i32.const 1)))
        (br_if $rowSum (i32.lt_u ${get('e')} ${i32(a.chunks)})))
      (i32.store offset=${rowSums} (i32.add ${get('ws')} (i32.shl ${get('i0')} (i32.const 2)))
        (i32.add (i32.add (i32x4.extract_lane 0 ${get('va')}) (i32x4.extract_lane 1 ${get('va')})) (i32.add (i32x4.extract_lane 2 ${get('va')}) (i32x4.extract_lane 3 ${get('va')}))))`;
  const aPacking = packA
    ? `(local.set $kk ${get('a')})
    (local.set $i0 (i32.const 0))
    (loop $packRows
      (local.set $bp (i32.add ${get('ws')} (i32.mul ${get('i0')} ${i32(packA.rowBytes)})))
      (local.set $e (i32.const 0))
      (loop $packChunks
        (v128.store (i32.add ${get('bp')} (i32.shl ${get('e')} (i32.const 4))) ${widen8(`(i32.add ${get('kk')} (i32.mul ${get('e')} ${i32(8 * aBytes)}))`)})
        (local.set $e (i32.add ${get('e')} (i32.const 1)))
        (br_if $packChunks (i32.lt_u ${get('e')} ${i32(packA.chunks)})))
      ${rowSums === null ? '' : rowSum(packA)}
      (local.set $kk (i32.add ${get('kk')} ${i32(k * aBytes)}))
      (local.set $i0 (i32.add ${get('i0')} (i32.const 1)))
      (br_if $packRows (i32.lt_u ${get('i0')} ${i32(m)})))`
    : '';
  const tileAccumulators = (prefix: string) => range(g.mr).flatMap((r) => range(accs).map((v) => `(local.set $${prefix}${r}_${v} (v128.const i32x4 0 0 0 0))`));
  // After the step that ends a block (or the last pair): totals += accumulators x the block's factor.
  const fold = block
    ? `(if (i32.or (i32.eqz (i32.rem_u ${get('kp')} ${i32(block / pack.kc)})) (i32.ge_u ${get('kp')} ${i32(pack.steps)}))
            (then
              (local.set $fv (i32x4.splat ${scaleCall(`(i32.div_u (i32.sub ${get('kp')} (i32.const 1)) ${i32(block / pack.kc)})`)}))
              ${range(g.mr).flatMap((r) => range(accs).map((v) => `(local.set $t${r}_${v} (i32x4.add ${get(`t${r}_${v}`)} (i32x4.mul ${get(`c${r}_${v}`)} ${get('fv')})))`)).join('\n              ')}
              ${tileAccumulators('c').join('\n              ')}))`
    : '';
  return `(module
  (import "env" "memory" (memory 1))
  ${block ? exponentFunctions(k, block) : ''}
  (func (export "prepare") ${weightParams} (param $packed i32)
    (local $jb i32) (local $kp i32) (local $col i32) (local $t i32) (local $kk i32) (local $j i32) (local $zbv i32)
    ${zp ? `(local.set $zbv (i32.load8_s ${get('zb')}))` : ''}
    ;; In packed order: column block jb, step kp, column col of the block, value t of the step.
    (loop $packBlocks
      (local.set $kp (i32.const 0))
      (loop $packSteps
        (local.set $col (i32.const 0))
        (loop $packColumns
          (local.set $j (i32.add (i32.mul ${get('jb')} ${i32(g.nr)}) ${get('col')}))
          (local.set $t (i32.const 0))
          (loop $packValues
            (local.set $kk (i32.add (i32.mul ${get('kp')} ${i32(pack.kc)}) ${get('t')}))
            (${storePacked} ${get('packed')}
              (if (result i32) (i32.and (i32.lt_u ${get('kk')} ${i32(k)}) (i32.lt_u ${get('j')} ${i32(n)})) (then ${value}) (else (i32.const 0))))
            (local.set $packed (i32.add ${get('packed')} ${i32(pack.elementBytes)}))
            (local.set $t (i32.add ${get('t')} (i32.const 1)))
            (br_if $packValues (i32.lt_u ${get('t')} ${i32(pack.kc)})))
          (local.set $col (i32.add ${get('col')} (i32.const 1)))
          (br_if $packColumns (i32.lt_u ${get('col')} ${i32(g.nr)})))
        (local.set $kp (i32.add ${get('kp')} (i32.const 1)))
        (br_if $packSteps (i32.lt_u ${get('kp')} ${i32(pack.steps)})))
      (local.set $jb (i32.add ${get('jb')} (i32.const 1)))
      (br_if $packBlocks (i32.lt_u ${get('jb')} ${i32(pack.columns / g.nr)}))))
  (func (export "matmul") ${params} (param $c i32) (param $ws i32) (param $packed i32)
    ${locals}
    ${block ? '(local.set $least (call $least (local.get $ea) (local.get $eb)))' : ''}
    ${zp ? `(local.set $zav (i16x8.splat (i32.load8_u ${get('za')})))` : ''}
    ${rowSums === null ? '' : `(local.set $zbv (i32.load8_s ${get('zb')}))`}
    ${aPacking}
    (loop $blocks
      (local.set $j (i32.mul ${get('jb')} ${i32(g.nr)}))
      (local.set $i0 (i32.const 0))
      (loop $tiles
        ${
          packA
            ? `(local.set $ap (i32.add ${aBase} (i32.mul ${get('i0')} ${i32(aRowBytes)})))`
            : range(g.mr)
                .map((r) => `(local.set $ap${r} (i32.add ${aBase} (i32.mul (select (i32.add ${get('i0')} ${i32(r)}) ${i32(m - 1)} (i32.lt_u (i32.add ${get('i0')} ${i32(r)}) ${i32(m)})) ${i32(aRowBytes)})))`)
                .join('\n        ')
        }
        ${[...tileAccumulators('c'), ...(block ? tileAccumulators('t') : [])].join('\n        ')}
        (local.set $bp (i32.add ${get('packed')} (i32.mul ${get('jb')} ${i32(pack.blockBytes)})))
        (local.set $kp (i32.const 0))
        (loop $steps
          ${range(g.kUnroll).map(step).join('\n          ')}
          ${aPointers.map((ap) => `(local.set $${ap} (i32.add ${get(ap)} ${i32(aStepBytes * g.kUnroll)}))`).join('\n          ')}
          (local.set $bp (i32.add ${get('bp')} ${i32(g.kUnroll * pack.stepBytes)}))
          (local.set $kp (i32.add ${get('kp')} ${i32(g.kUnroll)}))
          ${fold}
          (br_if $steps (i32.lt_u ${get('kp')} ${i32(pack.steps)})))
        ${range(g.mr).map(store).join('\n        ')}
        (local.set $i0 (i32.add ${get('i0')} ${i32(g.mr)}))
        (br_if $tiles (i32.lt_u ${get('i0')} ${i32(m)})))
      (local.set $jb (i32.add ${get('jb')} (i32.const 1)))
      (br_if $blocks (i32.lt_u ${get('jb')} ${i32(pack.columns / g.nr)})))))`;
}
