import { canonicalHash } from '../../lib/hash.ts';
import type { DeviceClass, GpuFacts } from '../../protocol/device.ts';
import { gpu, requestAdapter, WANTED_FEATURES, WANTED_LIMITS, WANTED_WGSL_FEATURES } from './gpu.ts';

export type Availability = { ok: true; device: DeviceClass } | { ok: false; reason: string };

export const INSTALL_HINT =
  'install a GPU driver with Vulkan support, or on a CPU-only Debian 12 machine Mesa 25 lavapipe: ' +
  'add the bookworm-backports suite and `apt-get install -t bookworm-backports mesa-vulkan-drivers` ' +
  "(Debian 12's own Mesa 22 is refused by Dawn)";

/** What makes WebGPU timings comparable: the adapter, its driver string, and the features and limits codegen uses. */
export function gpuFacts(adapter: GPUAdapter): GpuFacts {
  const info = adapter.info;
  const limits: Record<string, number> = Object.fromEntries(WANTED_LIMITS.map((name) => [name, adapter.limits[name]]));
  if (info.subgroupMinSize) limits.subgroupMinSize = info.subgroupMinSize;
  if (info.subgroupMaxSize) limits.subgroupMaxSize = info.subgroupMaxSize;
  return {
    backend: 'webgpu',
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    fallback: info.isFallbackAdapter ?? false,
    features: WANTED_FEATURES.filter((f) => adapter.features.has(f)),
    limits,
    wgslFeatures: WANTED_WGSL_FEATURES.filter((f) => gpu().wgslLanguageFeatures?.has(f)),
  };
}

export function gpuDeviceClass(facts: GpuFacts): DeviceClass {
  const name = facts.description || facts.device || facts.vendor || 'unknown adapter';
  const { wgslFeatures: _compiler, ...timing } = facts;
  return { id: canonicalHash(timing), label: `webgpu ${name}${facts.fallback ? ' (software)' : ''}`, facts };
}

/** Runs where Dawn is loaded (the GPU child process): never in a process that must survive a Dawn crash. */
export async function probeAdapter(): Promise<Availability> {
  let adapter: GPUAdapter | null;
  try {
    adapter = await requestAdapter();
  } catch (error) {
    return { ok: false, reason: `WebGPU failed to start (${(error as Error).message}): ${INSTALL_HINT}` };
  }
  if (!adapter) return { ok: false, reason: `no WebGPU adapter: ${INSTALL_HINT}` };
  return { ok: true, device: gpuDeviceClass(gpuFacts(adapter)) };
}
