const range = (count: number) => Array.from({ length: count }, (_, i) => i);
const i32 = (value: number) => `(i32.const ${value})`;

/** One row of a register tile and where it goes in C [M, N] (row-major, 4-byte elements). */
export interface TileRow {
  /** C's base address, and the row and first column (WAT i32 expressions). */
  readonly c: string;
  readonly row: string;
  readonly col: string;
  readonly m: number;
  readonly n: number;
  /** The row's accumulators (WAT v128 expressions), vector v holding columns col + 4v .. col + 4v + 3. */
  readonly vectors: readonly string[];
  readonly lanes: 'f32' | 'i32';
}

/**
 * Stores a tile row: each vector whole where its four columns end by N, lane
 * by lane up to N otherwise (the tile's columns past N computed padding);
 * nothing for a row past M (tiles read row M-1 there and must not store it).
 */
export function tileRowStore({ c, row, col, m, n, vectors, lanes }: TileRow): string {
  const stores = vectors.map((vector, v) => {
    const first = `(i32.add ${col} ${i32(4 * v)})`;
    const address = (lane: number) => `(i32.add ${c} (i32.shl (i32.add (i32.mul ${row} ${i32(n)}) (i32.add ${first} ${i32(lane)})) (i32.const 2)))`;
    const oneByOne = range(4)
      .map((l) => `(if (i32.lt_u (i32.add ${first} ${i32(l)}) ${i32(n)}) (then (${lanes}.store ${address(l)} (${lanes}x4.extract_lane ${l} ${vector}))))`)
      .join('\n          ');
    return `(if (i32.le_u (i32.add ${first} (i32.const 4)) ${i32(n)})
        (then (v128.store ${address(0)} ${vector}))
        (else
          ${oneByOne}))`;
  });
  return `(if (i32.lt_u ${row} ${i32(m)}) (then
      ${stores.join('\n      ')}))`;
}
