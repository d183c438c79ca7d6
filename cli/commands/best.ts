import type { Command } from 'commander';
import { z } from 'zod';
import { Backend } from '../../genome/genome.ts';
import { AccuracyText } from '../../genome/ops/index.ts';
import { addCommonOptions, CommonFlags, epilogueFlag, intFlag, padFlag, parseFlags, problemFromFlags, strideFlag } from '../options.ts';
import { fixed, printJson, significant, table } from '../output.ts';
import { describeGenome, promotedCell } from '../session.ts';
import { promotedRanking } from '../../coordinator/store/promotions.ts';
import { reverifiedRanking, refusedLines, storedKernels } from '../reverified.ts';
import { withStore } from '../store.ts';
import { HARNESS_VERSION } from '../../verifiers/version.ts';
import { storedFronts, type DeviceFront } from '../../coordinator/store/front.ts';
import { KevoError } from '../../lib/errors.ts';
import { numericAccuracy, type Problem } from '../../genome/ops/index.ts';

/** `kevo best --front`: the Pareto fronts from the store as they are (the ranked table's re-verification is for one winner; a front has several). */
function printFront(problem: Problem, flags: z.infer<typeof BestFlags>): void {
  // Refused before the store is opened, naming the flag the user must add.
  if (numericAccuracy(problem) === undefined) throw new KevoError('BAD_INPUT', '--front needs a numeric --accuracy (e.g. --accuracy 1e-2): only then do kernels of different precisions compete');
  const fronts = withStore(flags.db, (store) => {
    const deviceClassId = flags.device ? store.resolveDevice(flags.device).id : undefined;
    const harnessVersion = flags.anyHarness ? undefined : HARNESS_VERSION;
    return storedFronts(store, problem, { deviceClassId, backend: flags.backend, harnessVersion });
  });
  if (flags.json) return printJson(fronts);
  if (fronts.length === 0) return void process.stdout.write(`no verified kernel for ${problem.op} ${flags.shape} at accuracy ${problem.accuracy} yet\n`);
  process.stdout.write(fronts.map(frontTable).join('\n'));
}

function frontTable(front: DeviceFront): string {
  const rows = front.points.map((p) => [p.kernelId, p.precision, significant(p.error), `${fixed(p.speedup)}x`, fixed(p.medianMs, 3), fixed(p.gflops, 1), describeGenome(p.genome)]);
  return `${front.deviceClass.id.slice(0, 8)} ${front.deviceClass.label}: accuracy front (max error <= ${front.accuracy}, most accurate first)\n${table(['kernel', 'precision', 'max error', 'speedup', 'median ms', 'GFLOP/s', 'genome'], rows)}\n`;
}

const BestFlags = z.object({
  ...CommonFlags,
  shape: z.string(),
  device: z.string().optional(),
  backend: Backend.optional(),
  accuracy: AccuracyText.optional(),
  epilogue: epilogueFlag,
  dtype: z.string().optional(),
  group: intFlag(1).optional(),
  exponentBlock: intFlag(1).optional(),
  weights: z.string().optional(),
  output: z.string().optional(),
  stride: strideFlag,
  pad: padFlag,
  limit: intFlag(1, 1000),
  anyHarness: z.boolean().optional(),
  front: z.boolean().optional(),
});

export function registerBest(program: Command): void {
  addCommonOptions(
    program
      .command('best')
      .description('the best verified kernels found for a problem: highest speedup over the baseline first, with the promotion gate\'s speedup and 95% interval (tie: intervals overlap)')
      .argument('<op>', 'the op, e.g. matmul')
      .requiredOption('--shape <MxNxK>', 'problem shape')
      .option('--device <id>', 'only this device class (id or prefix)')
      .option('--backend <backend>', 'only this backend: wasm | webgpu')
      .option('--epilogue <stages>', 'the problem\'s epilogue, e.g. bias,gelu,residual')
      .option('--dtype <scheme>', 'the problem\'s dtype scheme: f32 (default), i8, u8i8, ...')
      .option('--group <g>', 'w4 / w4a8: elements of K per quantization group')
      .option('--exponent-block <b>', 'i16: elements of K per shared exponent')
      .option('--weights <fixed|varying>', 'matmul and conv2d: B (W) fixed across calls or varying (default: fixed for matmul\'s quantized dtypes, else varying)')
      .option('--output <dtype>', 'i16: the output, i32 (default) or i16 (requantized)')
      .option('--stride <1|2>', "the convolution's stride")
      .option('--pad <same|valid>', "the convolution's padding")
      .option('--accuracy <contract>', "the problem's accuracy contract: f32 (default), f16, bf16, f32-norm, or a max relative error such as 1e-2")
      .option('--limit <n>', 'how many', '10')
      .option('--any-harness', 'also kernels an older verifier harness passed (see kevo reverify)')
      .option('--front', 'with a numeric --accuracy: the accuracy-vs-speed Pareto front per device class (measured max error, speedup, precision), dominated kernels left out'),
  ).action(async (opName: string, options: Record<string, unknown>) => {
    const flags = parseFlags(BestFlags, options);
    const problem = problemFromFlags(opName, flags.shape, flags);
    if (flags.front) return printFront(problem, flags);
    const ranked = withStore(flags.db, (store) => {
      const deviceClassId = flags.device ? store.resolveDevice(flags.device).id : undefined;
      const harnessVersion = flags.anyHarness ? undefined : HARNESS_VERSION;
      const rows = store.best(problem, { deviceClassId, backend: flags.backend, limit: flags.limit, harnessVersion });
      return { rows, stored: storedKernels(store, rows) };
    });
    // The best is reported only after its stored text passes the harness here: a worker may have lied about it.
    const checked = await reverifiedRanking(ranked.rows, ranked.stored);
    process.stderr.write(refusedLines(checked.refused));
    const rows = withStore(flags.db, (store) => promotedRanking(store, checked.rows));
    if (flags.json) return printJson(rows);
    if (rows.length === 0) return void process.stdout.write(`no verified kernel for ${opName} ${flags.shape} yet\n`);
    process.stdout.write(
      `${table(
        ['kernel', 'GFLOP/s', 'speedup', 'promoted (95% CI)', 'median ms', 'p10-p90 ms', 'err/tol', 'max |err|', 'device', 'genome'],
        rows.map((r) => [
          r.kernelId,
          fixed(r.gflops, 1),
          `${fixed(r.speedup)}x`,
          promotedCell(r.promoted),
          fixed(r.medianMs, 3),
          `${fixed(r.p10Ms, 3)}-${fixed(r.p90Ms, 3)}`,
          significant(r.measuredError?.ofTolerance),
          significant(r.measuredError?.maxAbs),
          `${r.deviceClass.id.slice(0, 8)} ${r.deviceClass.label}`,
          describeGenome(r.genome),
        ]),
      )}\n`,
    );
  });
}
