import { get, i32, indent, multiplyAdd, offsetArg } from '../wat.ts';
import type { WinogradLayout } from './layout.ts';

/** A GEMM register tile: rows (output tiles) by vectors of 4 output channels. */
export interface GemmShape {
  readonly rows: number;
  readonly vectors: number;
}

export const gemmName = (s: GemmShape) => `$gemm_${s.rows}x${s.vectors}`;

/**
 * One of the 16 GEMMs, one register tile of it: M[tile][k..] = sum over
 * input channels c of V[tile][c] * U[c][k..], V a broadcast scalar
 * (load32_splat), U vectors loaded once a channel and used by every row.
 * $v, $u and $m point at the tile's first row and vector for this ab.
 */
export function gemmFunc(l: WinogradLayout, s: GemmShape, unroll: number, fma: boolean): string {
  const { g, c4, k4 } = l;
  const rows = Array.from({ length: s.rows }, (_, t) => t);
  const vectors = Array.from({ length: s.vectors }, (_, v) => v);
  const acc = (t: number, v: number) => `$acc${t}_${v}`;
  const step = (i: number) =>
    [
      ...vectors.map((v) => `(local.set $b${v} (v128.load${offsetArg(i * k4 * 4 + v * 16)} ${get('u')}))`),
      ...rows.flatMap((t) => {
        const a = `(v128.load32_splat${offsetArg(t * c4 * 4 + i * 4)} ${get('v')})`;
        return vectors.map((v) => `(local.set ${acc(t, v)} ${multiplyAdd(fma, a, `(local.get $b${v})`, `(local.get ${acc(t, v)})`)})`);
      }),
    ].join('\n');
  const turns = Math.floor(g.c / unroll);
  const loop = turns
    ? `(local.set $c (i32.const 0))
(loop $channels
${indent(Array.from({ length: unroll }, (_, i) => step(i)).join('\n'), 1)}
  (local.set $v (i32.add ${get('v')} ${i32(unroll * 4)}))
  (local.set $u (i32.add ${get('u')} ${i32(unroll * k4 * 4)}))
  (local.set $c (i32.add ${get('c')} (i32.const 1)))
  (br_if $channels (i32.lt_u ${get('c')} ${i32(turns)})))`
    : '';
  const rest = Array.from({ length: g.c % unroll }, (_, i) => step(i)).join('\n');
  const stores = rows.flatMap((t) => vectors.map((v) => `(v128.store${offsetArg(t * k4 * 4 + v * 16)} ${get('m')} (local.get ${acc(t, v)}))`));
  return `(func ${gemmName(s)} (param $v i32) (param $u i32) (param $m i32) (local $c i32)
  ${[...rows.flatMap((t) => vectors.map((v) => `(local ${acc(t, v)} v128)`)), ...vectors.map((v) => `(local $b${v} v128)`)].join(' ')}
${indent([loop, rest, ...stores].filter(Boolean).join('\n'), 1)})`;
}
