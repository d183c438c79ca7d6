import os from 'node:os';
import { canonicalHash } from '../lib/hash.ts';
import type { CpuFacts, DeviceClass } from '../protocol/device.ts';
import { assembleWat } from './wasm/assemble.ts';
import { RELAXED_SIMD_PROBE } from './wasm/features.ts';

const SIMD_PROBE_WAT = '(module (func (param v128 v128) (result v128) (f32x4.add (local.get 0) (local.get 1))))';

/**
 * Where this process times WASM kernels: two workers with the same facts time
 * a kernel comparably. Relaxed SIMD is whatever this process has on now (a
 * pool that enables it is a different device class from one that does not).
 */
export async function cpuDeviceClass(): Promise<DeviceClass & { facts: CpuFacts }> {
  const facts: CpuFacts = {
    backend: 'wasm',
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown cpu',
    cores: os.availableParallelism(),
    arch: process.arch,
    node: process.versions.node,
    v8: process.versions.v8,
    simd: WebAssembly.validate(await assembleWat(SIMD_PROBE_WAT, 'simd-probe.wat')),
    relaxedSimd: WebAssembly.validate(RELAXED_SIMD_PROBE),
  };
  return { id: canonicalHash(facts), label: cpuLabel(facts), facts };
}

/** e.g. "AMD EPYC 9R14 x2, node 20.20.2, simd+relaxed". */
export function cpuLabel(facts: CpuFacts): string {
  const features = facts.relaxedSimd ? 'simd+relaxed' : facts.simd ? 'simd' : 'no simd';
  const cpu = facts.cpu.replace(/\s+\d+-Core Processor$/i, '').replace(/\s+/g, ' ');
  return `${cpu} x${facts.cores}, node ${facts.node}, ${features}`;
}
