import { setFlagsFromString } from 'node:v8';

/**
 * The smallest module that uses f32x4.relaxed_madd, as bytes so the check
 * stays synchronous (wabt loads asynchronously). Its text is
 * RELAXED_SIMD_PROBE_WAT; a test reassembles that text and compares.
 */
export const RELAXED_SIMD_PROBE_WAT =
  '(module (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2))))';
export const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2,
  253, 133, 2, 11,
]);

/**
 * Turn on relaxed SIMD (f32x4.relaxed_madd) if this runtime can, and say
 * whether it now validates. Node 20 ships it behind a flag that NODE_OPTIONS
 * refuses, but setting it at run time works and is process-wide, worker
 * threads included; modules compiled before the call are unaffected.
 */
export function enableRelaxedSimd(): boolean {
  if (WebAssembly.validate(RELAXED_SIMD_PROBE)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}
