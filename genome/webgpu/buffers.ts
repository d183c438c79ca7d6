import { elementCount, opFor, type Problem } from '../ops/index.ts';

/** WebGPU's defaults: what every adapter allows; a device may grant more (GpuFacts.limits says). */
const DEFAULT_LIMITS = { maxStorageBufferBindingSize: 134_217_728, maxBufferSize: 268_435_456 } as const;

/**
 * Why a problem cannot run as a WGSL kernel (a tensor past the largest storage
 * buffer the device binds), or undefined when it fits. Without the device's
 * limits, WebGPU's defaults decide.
 */
export function webgpuBufferLimit(problem: Problem, limits?: Readonly<Record<string, number>>): string | undefined {
  const binding = limits?.maxStorageBufferBindingSize ?? DEFAULT_LIMITS.maxStorageBufferBindingSize;
  const buffer = limits?.maxBufferSize ?? DEFAULT_LIMITS.maxBufferSize;
  const [max, name] = binding <= buffer ? [binding, 'maxStorageBufferBindingSize'] : [buffer, 'maxBufferSize'];
  const op = opFor(problem);
  const tensor = [...op.inputs(problem), op.output(problem)].find((t) => elementCount(t.dims) * 4 > max);
  if (!tensor) return undefined;
  const whose = limits ? "the device's" : "WebGPU's default";
  return `${tensor.name} needs ${mib(elementCount(tensor.dims) * 4)} in one storage buffer; ${whose} ${name} is ${mib(max)}`;
}

const mib = (bytes: number) => `${+(bytes / 2 ** 20).toFixed(1)} MiB`;
