import { z } from 'zod';
import type { Accuracy } from './accuracy.ts';
import { findOp, opNames } from './registry.ts';

/**
 * Any op's problem, as code outside the op sees it: the op's name, a shape
 * whose dimensions the op names, the op's dtype scheme (which dtype each
 * tensor has: matmul's 'u8i8' is u8 A, i8 B, i32 C; it is no tensor dtype)
 * and the accuracy contract. The op's own schema (Op.problem) says what each
 * really is.
 */
export interface Problem {
  readonly op: string;
  readonly shape: Readonly<Record<string, number>>;
  readonly dtype: string;
  /** Elements per quantization group, for the schemes that quantize in groups (matmul w4, w4a8). */
  readonly group?: number | undefined;
  readonly accuracy?: Accuracy | undefined;
}

/**
 * Any registered op's problem, parsed by that op's own schema: an unknown op
 * or a field the op does not have is an issue at its zod path.
 */
export const Problem: z.ZodType<Problem> = z
  .object({ op: z.string() })
  .loose()
  .transform((value, ctx): Problem => {
    const op = findOp(value.op);
    if (!op) {
      ctx.addIssue({ code: 'custom', path: ['op'], message: `unknown op "${value.op}": expected one of ${opNames().join(', ')}` });
      return z.NEVER;
    }
    const parsed = op.problem.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return parsed.data;
  });
