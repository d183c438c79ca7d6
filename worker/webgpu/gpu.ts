import { create, globals } from 'webgpu';

/**
 * Dawn through the `webgpu` package, and the habits that keep it from taking
 * the process down (see shared measurements): the GPU object stays reachable
 * from globalThis while anything uses it, and GPU promises are awaited with
 * short sleeps rather than a busy event loop.
 */
const KEEP_ALIVE = Symbol.for('kevo.webgpu.gpu');

type Holder = { [KEEP_ALIVE]?: GPU };

/** Features a kernel may use and the timer may rely on, requested whenever the adapter has them. */
export const WANTED_FEATURES = ['shader-f16', 'subgroups', 'timestamp-query'] as const;

/** WGSL language features codegen may use (dot4I8Packed and friends): no request needed, the compiler has them or not. */
export const WANTED_WGSL_FEATURES = ['packed_4x8_integer_dot_product'] as const;

/** Limits codegen and the search space depend on: requested at the adapter's maximum. */
export const WANTED_LIMITS = [
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupStorageSize',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
] as const;

export function gpu(): GPU {
  const holder = globalThis as Holder;
  if (!holder[KEEP_ALIVE]) {
    Object.assign(globalThis, globals);
    // Dawn rounds timestamps to 100 us by default (a fingerprinting guard): useless for timing kernels.
    holder[KEEP_ALIVE] = create(['disable-dawn-features=timestamp_quantization']);
  }
  return holder[KEEP_ALIVE];
}

const nap = new Int32Array(new SharedArrayBuffer(4));

/**
 * Await a GPU promise without spinning: Dawn's pending promises keep the
 * event loop turning, which costs a core and slows lavapipe by a third on two
 * cores, so each turn sleeps a millisecond first.
 */
export async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  // Handled here so a rejection that lands between our naps is not an unhandled one (fatal in Node); the caller still sees it.
  tracked.catch(() => undefined);
  while (!done) {
    Atomics.wait(nap, 0, 0, 1);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return tracked;
}

export async function requestAdapter(): Promise<GPUAdapter | null> {
  return settle(gpu().requestAdapter());
}

/** A device with every wanted feature the adapter has and the wanted limits at the adapter's maximum. */
export async function openDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const requiredLimits = Object.fromEntries(WANTED_LIMITS.map((name) => [name, adapter.limits[name]]));
  return settle(adapter.requestDevice({ requiredFeatures, requiredLimits }));
}
