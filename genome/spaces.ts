import { KevoError } from '../lib/errors.ts';
import type { Backend, Genome } from './genome.ts';
import { familyFor } from './families/registry.ts';
import { numericAccuracy } from './ops/accuracy.ts';
import type { Problem } from './ops/problem.ts';
import type { SearchSpace } from './space.ts';
import type { Target } from './target.ts';
import { wasmMemoryLimit } from './wasm/layout.ts';
import { webgpuBufferLimit } from './webgpu/buffers.ts';

/** The search space of a problem on a backend (its kernel family's), shaped by what the target device can do. */
export function spaceFor(problem: Problem, backend: Backend, device: Target): SearchSpace<Genome> {
  if (device.facts.backend !== backend) {
    throw new KevoError('BAD_INPUT', `device class ${device.id} (${device.label}) cannot run backend ${backend}`);
  }
  return familyFor(problem.op, backend, problem.dtype, numericAccuracy(problem) !== undefined).space(problem, device);
}

/**
 * Why a backend cannot hold a problem's tensors (wasm32's 4 GiB memory, a
 * WebGPU device's largest storage buffer), or undefined when it can. Without a
 * device's limits (a spec being validated), WebGPU's defaults decide.
 */
export function backendLimit(problem: Problem, backend: Backend, limits?: Readonly<Record<string, number>>): string | undefined {
  return backend === 'wasm' ? wasmMemoryLimit(problem) : webgpuBufferLimit(problem, limits);
}
