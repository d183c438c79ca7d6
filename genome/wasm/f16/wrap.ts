import type { EntryWrap } from '../codegen.ts';
import { conversionFuncs } from './convert.ts';

const ALIGN = 64;

/** Elements of the two inputs and the output, and the bytes of workspace the wrapped f32 kernel needs itself. */
export interface F16Sizes {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly innerBytes: number;
}

/**
 * Where the f32 copies live in the workspace (byte offsets from it, 64-byte
 * aligned): A and B widened, C before narrowing, then the f32 kernel's own
 * workspace.
 */
export function f16Workspace(sizes: F16Sizes): { a: number; b: number; c: number; inner: number; bytes: number } {
  let cursor = 0;
  const place = (bytes: number) => {
    const at = cursor;
    cursor = Math.ceil((cursor + bytes) / ALIGN) * ALIGN;
    return at;
  };
  const a = place(4 * sizes.a);
  const b = place(4 * sizes.b);
  const c = place(4 * sizes.c);
  const inner = place(sizes.innerBytes);
  return { a, b, c, inner, bytes: cursor };
}

/**
 * Around an f32 kernel of the same ABI (entry $f32Kernel, not exported): an
 * entry exported as `name` that takes the f16 tensors (a, b, c, ws), widens
 * A and B into the workspace, runs the f32 kernel and narrows C (RNE).
 */
export function f16Wrap(name: string, sizes: F16Sizes): EntryWrap {
  const ws = f16Workspace(sizes);
  const at = (offset: number) => `(i32.add (local.get $ws) (i32.const ${offset}))`;
  const entry = `;; f16 storage: A, B widened to f32 in the workspace, the f32 kernel above, C narrowed to f16 (RNE)
(func (export "${name}") (param $a i32) (param $b i32) (param $c i32) (param $ws i32)
  (call $widen (local.get $a) ${at(ws.a)} (i32.const ${sizes.a}))
  (call $widen (local.get $b) ${at(ws.b)} (i32.const ${sizes.b}))
  (call $f32Kernel ${at(ws.a)} ${at(ws.b)} ${at(ws.c)} ${at(ws.inner)})
  (call $narrow ${at(ws.c)} (local.get $c) (i32.const ${sizes.c})))`;
  return { entry: '$f32Kernel', funcs: [...conversionFuncs, entry] };
}
