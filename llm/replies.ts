import { z } from 'zod';
import { ExemplarPolicy } from './prompt.ts';

/*
 * What the LLM must reply, per request kind. Objects are not strict: a model
 * that adds a field of its own still answered the question.
 */

export const EditReply = z.object({
  parent: z.string().describe('hash of the exemplar genome you start from, or "none"'),
  changes: z.record(z.string(), z.unknown()).describe('the genes you set, by name; the others are kept from the parent'),
  rationale: z.string().max(4000).default(''),
});
export type EditReply = z.infer<typeof EditReply>;

export const SourceReply = z.object({
  source: z.string().min(1).max(200_000).describe('the whole kernel source'),
  tile: z
    .object({ rows: z.number().int().min(1), cols: z.number().int().min(1) })
    .optional()
    .describe('WGSL only: the output tile one workgroup covers'),
  rationale: z.string().max(4000).default(''),
});
export type SourceReply = z.infer<typeof SourceReply>;

export const MetaReply = z.object({
  role: z.string().min(1).max(4000),
  guidance: z.string().max(4000),
  playbook: z.array(z.string().min(1).max(800)).max(20),
  exemplars: ExemplarPolicy,
  rationale: z.string().max(4000).default(''),
});
export type MetaReply = z.infer<typeof MetaReply>;

export const ReviewReply = z.object({
  verdict: z.enum(['pass', 'fail', 'unsure']),
  reasons: z.array(z.string().max(2000)).max(20).default([]),
  suspectedLoophole: z.string().max(2000).optional(),
});
export type ReviewReply = z.infer<typeof ReviewReply>;
