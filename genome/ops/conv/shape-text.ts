import type { z } from 'zod';
import { KevoError } from '../../../lib/errors.ts';
import { quote } from '../../../lib/quote.ts';

/**
 * The CLI's --shape text for a convolution: each dimension's letter then its
 * value, in the schema's order, e.g. n1h32w32c16k32r3s3 (depthwise: no k).
 */
export function parseConvShape<S extends z.ZodObject>(schema: S, text: string): z.infer<S> {
  const letters = Object.keys(schema.shape);
  const example = letters.map((l) => `${l}${{ n: 1, h: 32, w: 32, c: 16, k: 32, r: 3, s: 3 }[l]}`).join('');
  const pattern = new RegExp(`^${letters.map((l) => `${l}(\\d+)`).join('')}$`, 'i');
  const match = pattern.exec(text.trim());
  if (!match) throw new KevoError('BAD_INPUT', `shape ${quote(text)}: expected ${letters.join(', ')} each followed by its size, e.g. ${example}`);
  const parsed = schema.safeParse(Object.fromEntries(letters.map((l, i) => [l, Number(match[i + 1])])));
  if (!parsed.success) {
    throw new KevoError('BAD_INPUT', `shape ${quote(text)}: ${parsed.error.issues.map((i) => `${String(i.path[0])} ${i.message}`).join(', ')}`);
  }
  return parsed.data;
}

export const formatConvShape = (shape: Readonly<Record<string, number>>): string =>
  Object.entries(shape)
    .map(([letter, size]) => `${letter}${size}`)
    .join('');
