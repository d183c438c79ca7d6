import { opByName, Problem } from '../../genome/ops/index.ts';
import { parseSpec, type CampaignSpec } from '../spec.ts';
import { taskName, type SuiteFile, type SuiteTask } from './suite-file.ts';

/**
 * What every task of one run shares: campaign spec fields other than its name,
 * problems and budget, unchecked (the spec's schema judges them, naming the
 * flag that set each), and candidates per task in place of each task's budget.
 */
export type SuiteRunOptions = Readonly<Record<string, unknown>> & { readonly evaluations?: number | undefined };

export interface PlannedTask {
  readonly category: string;
  readonly name: string;
  readonly spec: CampaignSpec;
}

/**
 * Each task as the spec of its own campaign, in suite order. The task's
 * backend wins over the run's; the run's evaluations over the task's budget.
 * `flagFor` names the flag behind a spec path the options set (as `kevo run`
 * does); any other issue is the task's, named by its path in the suite.
 */
export function planSuite(suite: SuiteFile, options: SuiteRunOptions, source: string, flagFor: (path: string) => string | undefined): PlannedTask[] {
  const { evaluations, ...shared } = options;
  const flag = (path: string) => {
    if (path.startsWith('problems')) return undefined; // the task's own
    if (path.startsWith('budget')) return evaluations === undefined ? undefined : '--budget';
    return flagFor(path);
  };
  return suite.categories.flatMap((category, c) =>
    category.tasks.map((task, t) => {
      const name = taskName(task);
      const spec = parseSpec(
        {
          ...shared,
          name: `${suite.name}/${category.name}/${name}`,
          problems: [problemSpec(task)],
          backend: task.backend ?? shared.backend,
          budget: evaluations === undefined ? task.budget : { evaluations },
        },
        `${source}: categories.${c}.tasks.${t}`,
        flag,
      );
      return { category: category.name, name, spec };
    }),
  );
}

/** The campaign spec's problem: the task's fields as written, the shape in the op's text form. */
function problemSpec(task: SuiteTask): Record<string, unknown> {
  const problem = Problem.parse(task.problem);
  return { ...task.problem, shape: opByName(problem.op).formatShape(problem.shape) };
}
