import { WasmLaunch } from '../../genome/families/launch.ts';
import type { DeviceClass } from '../../protocol/device.ts';
import type { KernelJob } from '../../protocol/job.ts';
import type { KernelResult } from '../../protocol/result.ts';
import { evaluatePlanned } from '../plan.ts';
import { wasmKernel } from './kernel.ts';

export interface WasmJobContext {
  readonly device: DeviceClass;
  readonly worker: string;
}

/** A wasm job from genome to result: its family's code, assembled and instantiated here. */
export function evaluateWasmJob(job: KernelJob, ctx: WasmJobContext): Promise<KernelResult> {
  return evaluatePlanned(job, ctx, (problem, code) => wasmKernel(problem, code.text, WasmLaunch.parse(code.launch)));
}
