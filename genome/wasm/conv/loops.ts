import { get, i32, indent } from '../wat.ts';

/** `body` for $v = 0 .. count-1, nothing when count is 0 (the loop runs at least once). */
export function counted(v: string, count: number, body: string): string {
  if (count <= 0) return '';
  return `(local.set $${v} (i32.const 0))
(loop $${v}_loop
${indent(body, 1)}
  (local.set $${v} (i32.add ${get(v)} (i32.const 1)))
  (br_if $${v}_loop (i32.lt_u ${get(v)} ${i32(count)})))`;
}

/** a + b * scale as WAT, folding what is known. */
export function plus(a: string, b: string, scale = 1): string {
  if (scale === 0) return a;
  return `(i32.add ${a} ${scale === 1 ? b : `(i32.mul ${b} ${i32(scale)})`})`;
}
