import { elementCount, opFor, type Problem } from '../ops/index.ts';

const PAGE = 65536;
const ALIGN = 64;
/** wasm32 addresses 4 GiB: 65536 pages of 64 KiB. */
export const WASM32_MAX_PAGES = 65536;

/** Where a kernel's tensors sit in its linear memory (byte offsets, f32 lengths): the WASM kernel ABI (worker/wasm/abi.ts). */
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

/** Why a problem cannot run as a WASM kernel (its memory past wasm32's 4 GiB), or undefined when it fits. */
export function wasmMemoryLimit(problem: Problem): string | undefined {
  const { pages } = layoutFor(problem);
  if (pages <= WASM32_MAX_PAGES) return undefined;
  return `needs ${gib(pages * PAGE)} of WASM memory for the inputs, the output and the packing workspace; wasm32 holds at most ${gib(WASM32_MAX_PAGES * PAGE)}`;
}

export const gib = (bytes: number) => `${+(bytes / 2 ** 30).toFixed(2)} GiB`;
