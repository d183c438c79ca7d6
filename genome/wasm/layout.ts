import { wasmLaunch } from '../families/abi.ts';
import type { Problem } from '../ops/index.ts';

const PAGE = 65536;
/** wasm32 addresses 4 GiB: 65536 pages of 64 KiB. */
export const WASM32_MAX_PAGES = 65536;

/** Why a problem cannot run as a WASM kernel (its ABI's memory past wasm32's 4 GiB), or undefined when it fits. */
export function wasmMemoryLimit(problem: Problem): string | undefined {
  const { pages } = wasmLaunch(problem);
  if (pages <= WASM32_MAX_PAGES) return undefined;
  return `needs ${gib(pages * PAGE)} of WASM memory for the inputs, the output and the packing workspace; wasm32 holds at most ${gib(WASM32_MAX_PAGES * PAGE)}`;
}

const gib = (bytes: number) => `${+(bytes / 2 ** 30).toFixed(2)} GiB`;
