import { z } from 'zod';

/**
 * The element types a tensor can hold. `i4` and `u4` are packed two per byte,
 * low nibble first (ONNX Runtime's MatMulNBits order). The full dtype facts
 * (byte size, typed array, limits, edge values, comparison) live beside this.
 */
export const DtypeName = z.enum(['f32', 'f16', 'bf16', 'i32', 'i16', 'i8', 'u8', 'i4', 'u4']);
export type DtypeName = z.infer<typeof DtypeName>;

export type IntDtypeName = Exclude<DtypeName, 'f32' | 'f16' | 'bf16'>;
