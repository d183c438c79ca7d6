import { z } from 'zod';

/** Where WASM timings are comparable: the CPU, the runtime, and the wasm features it has on. */
export const CpuFacts = z
  .object({
    backend: z.literal('wasm'),
    cpu: z.string(),
    cores: z.number().int().positive(),
    arch: z.string(),
    node: z.string(),
    v8: z.string(),
    simd: z.boolean(),
    relaxedSimd: z.boolean(),
  })
  .strict();
export type CpuFacts = z.infer<typeof CpuFacts>;

/** Where WebGPU timings are comparable: the adapter, its driver, features and the limits codegen depends on. */
export const GpuFacts = z
  .object({
    backend: z.literal('webgpu'),
    vendor: z.string(),
    architecture: z.string(),
    device: z.string(),
    description: z.string(),
    fallback: z.boolean(),
    features: z.array(z.string()),
    limits: z.record(z.string(), z.number()),
    /**
     * WGSL language features the shader compiler has (packed_4x8_integer_dot_product)
     * among those codegen uses: what it accepts, not how fast it runs, so they
     * are left out of the device class id (classes stored before them keep theirs).
     */
    wgslFeatures: z.array(z.string()).optional(),
  })
  .strict();
export type GpuFacts = z.infer<typeof GpuFacts>;

export const DeviceFacts = z.discriminatedUnion('backend', [CpuFacts, GpuFacts]);
export type DeviceFacts = z.infer<typeof DeviceFacts>;

export const DeviceClass = z
  .object({
    /** canonicalHash(facts) without wgslFeatures: two workers with the same facts time kernels comparably. */
    id: z.string().min(1),
    label: z.string(),
    facts: DeviceFacts,
  })
  .strict();
export type DeviceClass = z.infer<typeof DeviceClass>;
