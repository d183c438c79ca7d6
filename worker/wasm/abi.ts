import { elementCount, opFor, type Problem } from '../../genome/ops/index.ts';

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
const PAGE = 65536;
const ALIGN = 64;

export interface Layout {
  readonly inputs: readonly { offset: number; length: number }[];
  readonly output: { offset: number; length: number };
  readonly workspace: { offset: number; length: number };
  readonly pages: number;
}

export function layoutFor(problem: Problem): Layout {
  const op = opFor(problem);
  let cursor = ALIGN; // keep offset 0 unused: a kernel writing through a null pointer hits nothing we read
  const place = (length: number) => {
    const offset = cursor;
    cursor = Math.ceil((cursor + length * 4) / ALIGN) * ALIGN;
    return { offset, length };
  };
  const inputs = op.inputs(problem).map((t) => place(elementCount(t.dims)));
  const output = place(elementCount(op.output(problem).dims));
  const workspace = place(inputs.reduce((sum, t) => sum + t.length, 0));
  return { inputs, output, workspace, pages: Math.ceil((cursor + ALIGN) / PAGE) };
}
