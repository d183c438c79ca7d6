import { threadId, workerData, type MessagePort } from 'node:worker_threads';
import { KevoError, describeZodError } from '../lib/errors.ts';
import type { DeviceClass } from '../protocol/device.ts';
import { KernelJob } from '../protocol/job.ts';
import type { KernelResult } from '../protocol/result.ts';
import { cpuDeviceClass } from './device.ts';
import { importFamilyModules } from '../genome/families/modules.ts';
import { enableRelaxedSimd } from './wasm/features.ts';
import { evaluateWasmJob } from './wasm/job.ts';

/** What the pool hands each thread at start. */
export interface TaskData {
  readonly relaxedSimd: boolean;
  readonly name: string;
  /** Modules registering ops and families beyond the built-in ones (RunnerOptions.families). */
  readonly families: readonly string[];
}

// Imported outside a pool (tests, the embedded path) there is no workerData.
const data: TaskData = (workerData as TaskData | null) ?? { relaxedSimd: false, name: 'main', families: [] };
// Before any module compiles: V8 reads the flag when it compiles.
if (data.relaxedSimd) enableRelaxedSimd();
// Before any job parses: its problem and genome are only valid once their op and family are known here.
const registered = importFamilyModules(data.families);

let device: Promise<DeviceClass> | undefined;

/** The piscina entry: one job in, one result out. A message that is not a job throws BAD_INPUT naming the zod path. */
export default async function evaluate(message: unknown): Promise<KernelResult> {
  await registered;
  const parsed = KernelJob.safeParse(message);
  if (!parsed.success) throw new KevoError('BAD_INPUT', `invalid job: ${describeZodError(parsed.error)}`);
  return evaluateWasmJob(parsed.data, { device: await deviceClass(), worker: `${data.name}#${threadId}` });
}

/** What the pool sends: the job, and a port to say when it starts, so its deadline does not count a thread's boot. */
export interface TimedTask {
  readonly job: unknown;
  readonly started: MessagePort;
}

export function timed({ job, started }: TimedTask): Promise<KernelResult> {
  started.postMessage('started');
  started.close();
  return evaluate(job);
}

/** The device class as this thread sees it (relaxed SIMD on or off here). */
export function deviceClass(): Promise<DeviceClass> {
  device ??= cpuDeviceClass();
  return device;
}
