import { z } from 'zod';
import { MatmulGroup } from '../../ops/matmul-problem.ts';
import { MatmulWasmGenome } from '../genome.ts';
import { Int4WasmGenome } from '../int4/genome.ts';
import { MatmulInt8WasmGenome } from '../int8/genome.ts';
import { F16KernelGenome } from './f16.ts';

const common = { op: z.literal('matmul'), backend: z.literal('wasm'), family: z.literal('precision') };

/**
 * An f32 matmul under a numeric accuracy (`--accuracy 1e-2`), where the
 * precision is a gene. The ABI stays the user's (f32 A, B in, f32 C out);
 * `kernel` is the genome of the kernel that does the multiply, in its own
 * family's schema:
 * - f32: the f32 tiled kernel on A and B as they are;
 * - i8: A quantized per row and B per column to symmetric int8 (scale =
 *   max |x| / 127) in the workspace, the int8 kernel, C rescaled to f32;
 * - w4: B quantized to 4 bits in ONNX MatMulNBits' layout (groups of
 *   `group` along K, scale = max |x| / 7, zero point 8) in the workspace,
 *   then the int4 kernel on f32 A;
 * - f16: f16 storage, f32 math: A and B rounded to f16 (nearest even), the
 *   products summed in f32 (WASM has no f16 arithmetic, so what f16 buys on
 *   a CPU is bandwidth: B's bytes halved, which pays in a GEMV); `kernel` is
 *   its own tile over f16 B panels (./f16.ts).
 * B is the weights: it is quantized (and packed for the inner kernel) once,
 * at load time (the launch's prepare, timed apart), A on every call.
 */
export const MatmulPrecisionWasmGenome = z.discriminatedUnion('precision', [
  z.object({ ...common, precision: z.literal('f32'), kernel: MatmulWasmGenome }).strict(),
  z.object({ ...common, precision: z.literal('i8'), kernel: MatmulInt8WasmGenome }).strict(),
  z.object({ ...common, precision: z.literal('w4'), group: MatmulGroup, kernel: Int4WasmGenome }).strict(),
  z.object({ ...common, precision: z.literal('f16'), kernel: F16KernelGenome }).strict(),
]);
export type MatmulPrecisionWasmGenome = z.infer<typeof MatmulPrecisionWasmGenome>;
export type PrecisionGene = MatmulPrecisionWasmGenome['precision'];
