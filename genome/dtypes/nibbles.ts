/**
 * Packed 4-bit storage: element i lives in byte i >> 1, in the low nibble
 * when i is even and the high nibble when i is odd (ONNX Runtime's
 * MatMulNBits order). n elements take ceil(n / 2) bytes; the unused high
 * nibble of an odd count's last byte is zero.
 */
export function nibbleBytes(count: number): number {
  return Math.ceil(count / 2);
}

/** The element at index i, signed (i4, two's complement -8..7) or not (u4, 0..15). */
export function getNibble(bytes: Uint8Array, i: number, signed: boolean): number {
  const byte = bytes[i >> 1]!;
  const nibble = i & 1 ? byte >> 4 : byte & 0x0f;
  return signed && nibble >= 8 ? nibble - 16 : nibble;
}

/** Stores value's low four bits at index i, leaving the other nibble of the byte as it was. */
export function setNibble(bytes: Uint8Array, i: number, value: number): void {
  const at = i >> 1;
  const nibble = value & 0x0f;
  bytes[at] = i & 1 ? (bytes[at]! & 0x0f) | (nibble << 4) : (bytes[at]! & 0xf0) | nibble;
}

export function packNibbles(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(nibbleBytes(values.length));
  for (let i = 0; i < values.length; i++) setNibble(bytes, i, values[i]!);
  return bytes;
}

export function unpackNibbles(bytes: Uint8Array, count: number, signed: boolean): Int8Array {
  if (count > bytes.length * 2) throw new RangeError(`${count} nibbles do not fit in ${bytes.length} bytes`);
  const values = new Int8Array(count);
  for (let i = 0; i < count; i++) values[i] = getNibble(bytes, i, signed);
  return values;
}
