/**
 * Small WAT text builders shared by the generated kernels. Addresses are WAT
 * expressions (usually a `local.get`) and may be evaluated more than once.
 */

/** A memarg's ` offset=N`, or nothing for 0. */
export const offsetArg = (offset: number) => (offset === 0 ? '' : ` offset=${offset}`);

/**
 * `lanes` (1-4) consecutive f32 at address+offset as a v128, zeros in the
 * other lanes, never reading a byte past them: a row's last columns may be
 * the last bytes of a buffer.
 */
export function loadLanes(lanes: number, address: string, offset: number): string {
  switch (lanes) {
    case 4:
      return `(v128.load${offsetArg(offset)} ${address})`;
    case 1:
      return `(v128.load32_zero${offsetArg(offset)} ${address})`;
    case 2:
      return `(v128.load64_zero${offsetArg(offset)} ${address})`;
    case 3:
      return `(v128.load32_lane${offsetArg(offset + 8)} 2 ${address} (v128.load64_zero${offsetArg(offset)} ${address}))`;
    default:
      throw new RangeError(`lanes must be 1-4, got ${lanes}`);
  }
}

/** Store the first `lanes` (1-4) f32 of `value` at address+offset, leaving the bytes after them alone. */
export function storeLanes(lanes: number, address: string, offset: number, value: string): string {
  switch (lanes) {
    case 4:
      return `(v128.store${offsetArg(offset)} ${address} ${value})`;
    case 1:
      return `(v128.store32_lane${offsetArg(offset)} 0 ${address} ${value})`;
    case 2:
      return `(v128.store64_lane${offsetArg(offset)} 0 ${address} ${value})`;
    case 3:
      return `(v128.store64_lane${offsetArg(offset)} 0 ${address} ${value}) (v128.store32_lane${offsetArg(offset + 8)} 2 ${address} ${value})`;
    default:
      throw new RangeError(`lanes must be 1-4, got ${lanes}`);
  }
}

/** acc + a*b: one fused relaxed_madd, or a mul then an add (two roundings). */
export function multiplyAdd(fma: boolean, a: string, b: string, acc: string): string {
  return fma ? `(f32x4.relaxed_madd ${a} ${b} ${acc})` : `(f32x4.add ${acc} (f32x4.mul ${a} ${b}))`;
}

/** Lane counts of the v128 column vectors covering `cols` columns: [4, 4, ..., 1-4]. */
export function vectorLanes(cols: number): number[] {
  return Array.from({ length: Math.ceil(cols / 4) }, (_, v) => Math.min(4, cols - 4 * v));
}

export const get = (name: string) => `(local.get $${name})`;
export const i32 = (value: number) => `(i32.const ${value})`;
export const addConst = (name: string, value: number) => `(local.set $${name} (i32.add ${get(name)} ${i32(value)}))`;

/** Indent every line of a block of WAT by `levels` two-space steps. */
export function indent(text: string, levels: number): string {
  const pad = '  '.repeat(levels);
  return text
    .split('\n')
    .map((line) => (line.length > 0 ? pad + line : line))
    .join('\n');
}

/**
 * A module's exported function, `(func (export "name")` as the codegens write
 * it, made internal as `id`, for a wrapper to call: the module must export
 * exactly one function by that name.
 */
export function internalize(wat: string, exportName: string, id: string): string {
  const head = `(func (export "${exportName}")`;
  if (wat.split(head).length !== 2) throw new Error(`the module does not export exactly one function "${exportName}"`);
  return wat.replace(head, `(func ${id}`);
}

export const MEMORY_IMPORT = '(import "env" "memory" (memory 1))';

/** A generated module's fields after its memory import, without the closing parenthesis: for a wrapper to put in a module of its own. */
export function moduleFields(wat: string): string {
  const start = wat.indexOf(MEMORY_IMPORT);
  const end = wat.lastIndexOf(')');
  if (start < 0 || end < start) throw new Error('not a module that imports env.memory');
  return wat.slice(start + MEMORY_IMPORT.length, end);
}
