import { KevoError } from '../lib/errors.ts';
import type { Backend, Genome } from './genome.ts';
import { searchFamilies } from './families/registry.ts';
import type { Problem } from './ops/problem.ts';
import type { SearchSpace } from './space.ts';
import { unionSpace } from './union-space.ts';
import type { Target } from './target.ts';
import { wasmMemoryLimit } from './wasm/layout.ts';
import { webgpuBufferLimit } from './webgpu/buffers.ts';

/**
 * The search space of a problem on a backend, shaped by what the target
 * device can do: its kernel family's (or the alternative's that replaces it:
 * a precision family under a numeric accuracy), joined by the alternatives
 * that join it (Winograd for a 3x3 stride-1 conv2d under f32-norm).
 */
export function spaceFor(problem: Problem, backend: Backend, device: Target): SearchSpace<Genome> {
  if (device.facts.backend !== backend) {
    throw new KevoError('BAD_INPUT', `device class ${device.id} (${device.label}) cannot run backend ${backend}`);
  }
  const [lead, ...joined] = searchFamilies(problem, backend).map((f) => f.space(problem, device));
  return joined.length ? unionSpace(lead!, joined) : lead!;
}

/**
 * Why a backend cannot hold a problem's tensors (wasm32's 4 GiB memory, a
 * WebGPU device's largest storage buffer), or undefined when it can. Without a
 * device's limits (a spec being validated), WebGPU's defaults decide.
 */
export function backendLimit(problem: Problem, backend: Backend, limits?: Readonly<Record<string, number>>): string | undefined {
  return backend === 'wasm' ? wasmMemoryLimit(problem) : webgpuBufferLimit(problem, limits);
}
