import { internalize } from '../wasm/wat.ts';
import type { KernelCode, Launch, WasmLaunch } from './launch.ts';

/**
 * A kernel that packs its weights at load time, for a problem whose weights
 * change between calls (Op.weightsFixed): the pack is per-call work there,
 * so the entry becomes one that packs and then multiplies, and the launch
 * keeps no load-time step. Its time then counts the pack, the harness
 * judges the two together, and an export's run() takes every input. The
 * packed region stays where it was, now the workspace's tail.
 */
export function packEachCall(code: KernelCode<WasmLaunch>): KernelCode<WasmLaunch> {
  const { launch } = code;
  const prepare = launch.prepare;
  if (!prepare) return code;
  const end = code.text.lastIndexOf(')');
  const body = internalize(internalize(code.text.slice(0, end), launch.entry, '$kevo_run'), prepare.entry, '$kevo_pack');
  const params = launch.tensors.map((_, i) => `(param $t${i} i32)`).join(' ');
  const packed = `(i32.add (local.get $ws) (i32.const ${prepare.packed.offset - launch.workspace.offset}))`;
  const tensors = launch.tensors.map((_, i) => `(local.get $t${i})`).join(' ');
  const entry = `  ;; weights that change every call: packed on every call, then the kernel
  (func (export "${launch.entry}") ${params} (param $ws i32)
    (call $kevo_pack ${prepare.weights.map((i) => `(local.get $t${i})`).join(' ')} ${packed})
    (call $kevo_run ${tensors} (local.get $ws) ${packed}))`;
  const { prepare: _, ...rest } = launch;
  const workspace = { offset: launch.workspace.offset, length: prepare.packed.offset + prepare.packed.length - launch.workspace.offset };
  return { language: code.language, text: `${body}\n${entry})${code.text.slice(end + 1)}`, launch: { ...rest, workspace } };
}

/** A family's kernel as a problem runs it: packed at load only where the problem's weights stay fixed. */
export function forWeights(code: KernelCode, weightsFixed: boolean): KernelCode {
  return weightsFixed || !isWasm(code) ? code : packEachCall(code);
}

const isWasm = (code: KernelCode<Launch>): code is KernelCode<WasmLaunch> => code.launch.backend === 'wasm';
