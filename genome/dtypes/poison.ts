import type { Dtype, Storage } from './dtype.ts';
import { getNibble } from './nibbles.ts';

/**
 * Poison is bits, not values: a NaN read into a JS number may lose its
 * payload, so the poison is only visible through an unsigned view of the
 * storage.
 */
function wordsOf(storage: Storage): Uint32Array | Uint16Array | Uint8Array {
  const { buffer, byteOffset } = storage;
  if (storage.BYTES_PER_ELEMENT === 4) return new Uint32Array(buffer, byteOffset, storage.length);
  if (storage.BYTES_PER_ELEMENT === 2) return new Uint16Array(buffer, byteOffset, storage.length);
  return new Uint8Array(buffer, byteOffset, storage.length);
}

function poisonWord(dtype: Dtype, alternate: boolean): number {
  const bits = alternate ? dtype.alternatePoisonBits : dtype.poisonBits;
  // Packed 4-bit: the same nibble in both halves of each byte.
  return dtype.bits === 4 ? bits * 0x11 : bits;
}

export function fillPoison(dtype: Dtype, storage: Storage, alternate = false): void {
  wordsOf(storage).fill(poisonWord(dtype, alternate));
}

export interface Poisoned {
  /** How many of the elements still hold the poison. */
  readonly count: number;
  /** The first such element's index, or -1. */
  readonly first: number;
}

/** Which of the first `count` elements still hold the poison. */
export function findPoisoned(dtype: Dtype, storage: Storage, count: number, alternate = false): Poisoned {
  const bits = alternate ? dtype.alternatePoisonBits : dtype.poisonBits;
  const bytes = new Uint8Array(storage.buffer, storage.byteOffset, storage.byteLength);
  const words = wordsOf(storage);
  const holds = dtype.bits === 4 ? (i: number) => getNibble(bytes, i, false) === bits : (i: number) => words[i] === bits;
  let found = 0;
  let first = -1;
  for (let i = 0; i < count; i++) {
    if (!holds(i)) continue;
    if (found++ === 0) first = i;
  }
  return { count: found, first };
}
