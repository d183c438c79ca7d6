import { opFor, type Problem } from '../../genome/ops/index.ts';
import { Rng } from '../../lib/rng.ts';
import { campaignBest } from './campaign-best.ts';
import { measure, medianGflops, pairedRatio } from './timing.ts';

/** A layer's pass as the campaign spec names it (bench/conv.ts's problemEntry). */
interface Row {
  readonly name: string;
  readonly pass: string;
  readonly entry: Record<string, unknown>;
}

/** Inputs in the problem's ABI order and dtypes: normal f32, or i16 mantissas over the whole range. */
function inputsFor(problem: Problem, seed: number): (Float32Array | Int16Array)[] {
  const rng = new Rng(seed);
  return opFor(problem)
    .inputs(problem)
    .map((t) => {
      const length = t.dims.reduce((a, b) => a * b, 1);
      return t.dtype === 'i16' ? Int16Array.from({ length }, () => rng.int(-32768, 32767)) : Float32Array.from({ length }, () => rng.normal());
    });
}

/**
 * kevo's best i16 kernel against kevo's best f32 kernel for the same layer
 * and pass, both found by one embedded campaign, both called through their
 * exported run(), timed interleaved. Both count 2 operations a
 * multiply-accumulate, so the GFLOP/s ratio is the MAC/s ratio.
 */
export async function i16Table(rows: readonly Row[], evaluations: number, log: (line: string) => void): Promise<void> {
  const problems = rows.flatMap((r) => [r.entry, { ...r.entry, dtype: 'i16' }]);
  log(`campaign over ${problems.length} problems (f32 and i16), ${evaluations} evaluations each`);
  const { bests, close } = await campaignBest({ name: 'bench:conv --i16', problems: problems as never, backend: 'wasm', strategy: 'genetic', budget: { evaluations } });
  const table: string[] = [];
  for (const [i, row] of rows.entries()) {
    const [f32, i16] = [bests[2 * i]!, bests[2 * i + 1]!];
    const contenders = [f32.contender('f32', inputsFor(f32.problem, 7)), i16.contender('i16', inputsFor(i16.problem, 7))];
    const samples = await measure(contenders, { rounds: 7, sampleMs: 40 });
    const genome = i16.best.genome as { instruction?: string; tile?: number; vectors?: number };
    table.push(
      `| ${row.name} | ${row.pass} | ${medianGflops(samples, 'f32').toFixed(1)} | ${medianGflops(samples, 'i16').toFixed(1)} | ${pairedRatio(samples, 'i16', 'f32').toFixed(2)}x | ${genome.instruction} ${genome.tile}x${genome.vectors} | ${i16.best.speedup.toFixed(2)}x |`,
    );
    log(table.at(-1)!);
  }
  close();
  console.log(`\nConvolutions, one thread, i16 (dynamic fixed point, i32 out) against f32, GOP/s (kevo's best kernel of a ${evaluations}-evaluation campaign per problem, called through its exported run())\n`);
  console.log('| layer | pass | kevo f32 | kevo i16 | i16 / f32 (MAC/s) | i16 kernel | i16 / i16 baseline |');
  console.log('|---|---|---|---|---|---|---|');
  for (const line of table) console.log(line);
}
