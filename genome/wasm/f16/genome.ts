import { z } from 'zod';
import { MatmulWasmGenome } from '../genome.ts';

/**
 * f16 storage on WASM (A, B, C f16 bits; WASM has no f16 arithmetic): A and
 * B widened to f32 in the workspace, the f32 kernel of the same genes
 * (../genome.ts) over them, C narrowed back to f16 (round to nearest even).
 * No epilogue: f16 problems have none.
 */
export const MatmulF16WasmGenome = MatmulWasmGenome.omit({ family: true, epilogue: true }).extend({ family: z.literal('f16') }).strict();
export type MatmulF16WasmGenome = z.infer<typeof MatmulF16WasmGenome>;
