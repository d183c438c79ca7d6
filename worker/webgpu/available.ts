import type { Availability } from './device.ts';
import { GpuProcess } from './process.ts';

const PROBE_DEADLINE_MS = 30_000;

let cached: Promise<Availability> | undefined;

/**
 * Whether this machine can run WebGPU kernels, and on what device class; if
 * not, what to install. The probe loads Dawn in a short-lived child process,
 * so a broken driver cannot take this process down. Asked once per process.
 */
export function webgpuAvailable(): Promise<Availability> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<Availability> {
  const child = new GpuProcess();
  try {
    const outcome = await child.request({ type: 'probe' }, PROBE_DEADLINE_MS);
    if (outcome.kind === 'reply' && outcome.reply.type === 'probe') return outcome.reply.availability;
    if (outcome.kind === 'reply' && outcome.reply.type === 'error') return { ok: false, reason: `WebGPU probe failed: ${outcome.reply.message}` };
    if (outcome.kind === 'timeout') return { ok: false, reason: `WebGPU probe gave no answer in ${PROBE_DEADLINE_MS} ms` };
    return { ok: false, reason: outcome.kind === 'exit' ? outcome.reason : 'WebGPU probe: unexpected reply' };
  } finally {
    child.kill();
    await child.exit();
  }
}
