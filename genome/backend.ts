import { z } from 'zod';

export const Backend = z.enum(['wasm', 'webgpu']);
export type Backend = z.infer<typeof Backend>;
