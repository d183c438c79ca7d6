import { assembleWat } from '../../../worker/wasm/assemble.ts';
import { enableRelaxedSimd } from '../../../worker/wasm/features.ts';
import type { Int4Kernel } from '../../../genome/wasm/int4/problem.ts';
import type { W4a8Inputs, W4Inputs } from '../../../genome/ops/matmul/int4/reference.ts';

const ALIGN = 64;

/**
 * Runs a 4-bit kernel's WAT on inputs placed in ABI order (as the entry's
 * parameters), returning C. With `packed`, its prepare entry first packs the
 * `weights` inputs into a region of `bytes`, which the entry gets last.
 */
export async function runInt4(
  wat: string,
  p: Int4Kernel,
  x: W4Inputs | W4a8Inputs,
  workspaceBytes: number,
  packed?: { readonly weights: readonly number[]; readonly bytes: number },
): Promise<Float32Array> {
  enableRelaxedSimd();
  const tensors: ArrayBufferView[] =
    'aScales' in x ? [x.a, x.b, x.aScales, x.scales] : [x.a, x.b, x.scales, ...(p.zeroPoints ? [x.zeroPoints!] : [])];
  let cursor = ALIGN;
  const place = (bytes: number) => {
    const at = cursor;
    cursor = Math.ceil((cursor + bytes) / ALIGN) * ALIGN;
    return at;
  };
  const offsets = tensors.map((t) => place(t.byteLength));
  const c = place(p.m * p.n * 4);
  const ws = place(workspaceBytes);
  const region = packed ? [place(packed.bytes)] : [];
  const memory = new WebAssembly.Memory({ initial: Math.ceil((cursor + ALIGN) / 65536) });
  tensors.forEach((t, i) => new Uint8Array(memory.buffer, offsets[i], t.byteLength).set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength)));
  new Uint32Array(memory.buffer, c, p.m * p.n).fill(0x7fa5a5a5);
  const { instance } = await WebAssembly.instantiate(await assembleWat(wat), { env: { memory } });
  if (packed) (instance.exports.prepare as (...args: number[]) => void)(...packed.weights.map((i) => offsets[i]!), ...region);
  (instance.exports.matmul as (...args: number[]) => void)(...offsets, c, ws, ...region);
  return new Float32Array(memory.buffer, c, p.m * p.n).slice();
}
