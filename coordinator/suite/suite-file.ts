import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Backend } from '../../genome/genome.ts';
import { Problem, problemKey } from '../../genome/ops/index.ts';
import { backendLimit } from '../../genome/spaces.ts';
import { describeZodError, KevoError } from '../../lib/errors.ts';
import { quote } from '../../lib/quote.ts';
import { CampaignBudget, readJsonFile } from '../spec.ts';

/**
 * A task's problem as written: any registered op's problem, judged by that
 * op's own schema (an unknown op, a bad dimension or dtype is an issue at its
 * path), and kept as written so the campaign spec gets exactly its fields.
 */
const TaskProblem = z
  .object({ op: z.string() })
  .loose()
  .superRefine((value, ctx) => {
    const parsed = Problem.safeParse(value);
    if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });

const SuiteTask = z
  .object({
    /** Unique within its category; the problem's key when absent. */
    name: z.string().min(1).max(200).optional(),
    problem: TaskProblem,
    budget: CampaignBudget,
    /** The backend that runs it; absent: the run's --backend. */
    backend: Backend.optional(),
  })
  .strict()
  .superRefine((task, ctx) => {
    // Only when the problem parsed: its issues are already named.
    const problem = Problem.safeParse(task.problem);
    if (!problem.success || !task.backend) return;
    const limit = backendLimit(problem.data, task.backend);
    if (limit) ctx.addIssue({ code: 'custom', path: ['problem', 'shape'], message: `too big for ${task.backend}: ${limit}` });
  });

const SuiteCategory = z
  .object({
    name: z.string().min(1).max(100),
    tasks: z.array(SuiteTask).min(1),
  })
  .strict();

/**
 * A suite file, version 1: tasks grouped by category, each a problem with a
 * budget. Adding a category (a new op, a dtype) is adding JSON: nothing here
 * names an op.
 */
export const SuiteFile = z
  .object({
    version: z.literal(1, { error: 'expected 1 (the only suite file version)' }),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    categories: z.array(SuiteCategory).min(1),
  })
  .strict()
  .superRefine((suite, ctx) => {
    const categories = new Set<string>();
    suite.categories.forEach((category, c) => {
      if (categories.has(category.name)) ctx.addIssue({ code: 'custom', path: ['categories', c, 'name'], message: `category ${quote(category.name)} is named twice` });
      categories.add(category.name);
      const names = new Set<string>();
      category.tasks.forEach((task, t) => {
        if (task.name === undefined && !Problem.safeParse(task.problem).success) return; // unnamed, and its problem's issues already said
        const name = taskName(task);
        if (names.has(name)) ctx.addIssue({ code: 'custom', path: ['categories', c, 'tasks', t, 'name'], message: `task ${quote(name)} is named twice in this category` });
        names.add(name);
      });
    });
  });
export type SuiteFile = z.infer<typeof SuiteFile>;
export type SuiteTask = z.infer<typeof SuiteTask>;

/** A task's name: its own, else its problem's key (e.g. "matmul:64x64x64:f32"). */
export function taskName(task: SuiteTask): string {
  return task.name ?? problemKey(Problem.parse(task.problem));
}

/** Validates a suite; each issue names its zod path, e.g. `categories.1.tasks.3.problem.shape.m: ...`. */
export function parseSuite(value: unknown, source = 'suite'): SuiteFile {
  const parsed = SuiteFile.safeParse(value);
  if (!parsed.success) throw new KevoError('BAD_INPUT', `invalid ${source}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export function loadSuiteFile(path: string): SuiteFile {
  const name = `suite ${quote(path)}`;
  return parseSuite(readJsonFile(path, name), name);
}

/** The suite that ships with kevo (suites/default.json; the build copies it beside dist/). */
export const DEFAULT_SUITE_PATH = fileURLToPath(new URL('../../suites/default.json', import.meta.url));
