import { z } from 'zod';
import { DeviceClass } from './device.ts';

/**
 * What a worker says about itself: where it times kernels and what it can run.
 * A NATS worker heartbeats it into the workers bucket; the coordinator reads
 * it back through this schema and skips entries that do not match.
 */
export const WorkerInfo = z
  .object({
    name: z.string().min(1),
    deviceClasses: z.array(DeviceClass).readonly(),
    backends: z.array(z.string()).readonly(),
    threads: z.number().int().positive(),
    jobsDone: z.number().int().nonnegative(),
    version: z.string(),
    lastSeen: z.string(),
  })
  .strict();
export type WorkerInfo = z.infer<typeof WorkerInfo>;
