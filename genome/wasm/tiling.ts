/** `value` rounded up to a multiple of `multiple`, and at least one multiple: a block of whole tiles. */
export function roundUp(value: number, multiple: number): number {
  return Math.max(multiple, Math.ceil(value / multiple) * multiple);
}
