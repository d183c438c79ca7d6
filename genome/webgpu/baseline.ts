import { epilogueParts, separateStages } from '../ops/epilogue.ts';
import type { MatmulProblem } from '../ops/matmul-problem.ts';
import { activationFunctions, bindingDeclarations, passEntry } from './epilogue.ts';
import type { WgslKernel } from './codegen.ts';
import { perOutputWgsl } from './per-output.ts';

/**
 * The plain WGSL matmul every candidate is timed against: a 16x16 workgroup,
 * one output element per thread, A and B read straight from storage.
 */
export function naiveMatmulWgsl(problem: MatmulProblem): WgslKernel {
  const { m, n, k } = problem.shape;
  // The epilogue as a framework without fusion runs it: one dispatch over C per stage.
  const epilogue = epilogueParts(problem.epilogue);
  const stages = separateStages(epilogue).map(([name, spec]) => passEntry(name, spec, { m, n }, false));
  const kernel = perOutputWgsl(
    `${m}x${n}x${k}: one output per thread${problem.epilogue ? `, then one dispatch per epilogue stage (${problem.epilogue.join(', ')})` : ''}`,
    problem.shape,
    `${bindingDeclarations(epilogue, false).join('\n')}\n${activationFunctions(epilogue).join('\n')}`,
    `  var acc = 0.0;
  for (var k = 0u; k < K; k++) {
    acc += A[row * K + k] * B[k * N + col];
  }
  C[row * N + col] = acc;`,
    `${stages.map((s) => s.code.join('\n')).join('\n')}\n`,
  );
  return { ...kernel, passes: stages.map((s) => s.pass) };
}
