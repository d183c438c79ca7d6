/**
 * The WASM kernel ABI, shared by generated and hand- or LLM-written kernels:
 *
 *   (import "env" "memory" (memory 1))
 *   (func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32))
 *
 * $a, $b, $c are byte offsets of row-major f32 A[M,K], B[K,N], C[M,N]; $ws is a
 * scratch area of (M*K + K*N) f32 for packing. Shapes are baked into the source.
 * The kernel must write every element of C (it is poisoned before each call) and
 * must not write A or B.
 */
export const ENTRY = 'matmul';
// The layout is codegen's side of the ABI too (and bounds which problems fit): genome/wasm owns it.
export { layoutFor, type Layout } from '../../genome/wasm/layout.ts';
