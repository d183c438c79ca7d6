import { describe, expect, it } from 'vitest';
import { matmulPrecisionWasm } from '../../../../genome/families/matmul-precision-wasm.ts';
import type { WasmLaunch } from '../../../../genome/families/launch.ts';
import { parseProblem, type Problem } from '../../../../genome/ops/index.ts';
import { MatmulPrecisionWasmGenome, type PrecisionGene } from '../../../../genome/wasm/precision/genome.ts';
import type { KernelResult } from '../../../../protocol/result.ts';
import { cpuDeviceClass } from '../../../../worker/device.ts';
import { evaluateKernel } from '../../../../worker/evaluate.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';
import { sourceJob } from '../../../worker/jobs.ts';

const problemAt = (accuracy: number) => parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, accuracy });
const device = await cpuDeviceClass();
const seeds = matmulPrecisionWasm
  .space(problemAt(0.05), device)
  .seeds!()
  .map((g) => MatmulPrecisionWasmGenome.parse(g));
const seed = (precision: PrecisionGene) => seeds.find((g) => g.precision === precision)!;

const load = (p: Problem, code: { text: string; launch: unknown }) => wasmKernel(p, code.text, code.launch as WasmLaunch);

/** The whole harness a worker runs on the genome's kernel (its text edited by `splice`, to plant a bug), timed against the family's baseline. */
async function evaluate(genome: MatmulPrecisionWasmGenome, problem: Problem, splice: (text: string) => string = (t) => t): Promise<KernelResult> {
  const code = (p: Problem) => {
    const honest = matmulPrecisionWasm.code(genome, p);
    return { ...honest, text: splice(honest.text) };
  };
  return evaluateKernel({
    job: sourceJob(code(problem).text, { problem }),
    build: (p) => load(p, code(p)),
    buildBaseline: (p) => load(p, matmulPrecisionWasm.baseline(p)),
    device,
    source: { language: 'wat', text: code(problem).text },
    worker: 'test',
    precision: matmulPrecisionWasm.precision(genome),
  });
}

/** The measured error in the contract's terms (protocol/result.ts: MeasuredError). */
const errorOf = (result: KernelResult, accuracy: number) => result.measuredError!.ofTolerance * accuracy;

describe('the precision family on WASM: the user\'s f32 inputs quantized in the kernel, the error measured against the f64 reference of the originals', () => {
  it('f32 and i8 pass at 5e-2, i8 with the larger measured error (its quantization counted), both within the bound', async () => {
    const f32 = await evaluate(seed('f32'), problemAt(0.05));
    const i8 = await evaluate(seed('i8'), problemAt(0.05));
    expect(f32.status, f32.reason).toBe('ok');
    expect(i8.status, i8.reason).toBe('ok');
    expect([f32.precision, i8.precision]).toEqual([expect.stringMatching(/^f32/), 'i8']);
    expect(errorOf(i8, 0.05)).toBeLessThanOrEqual(0.05);
    // int8's grid is 1/127 of each row's and column's largest value: far coarser than f32's rounding.
    expect(errorOf(i8, 0.05)).toBeGreaterThan(100 * errorOf(f32, 0.05));
  });

  it('fails i8 and w4 where their quantization error passes the bound', async () => {
    const i8 = await evaluate(seed('i8'), problemAt(1e-4));
    expect(i8.status).toBe('rejected');
    expect(i8.reason).toMatch(/but expected/);
    // 4 bits in groups of 32: about 5% of the output's scale on N(0, 1) inputs.
    const w4 = await evaluate(seed('w4'), problemAt(0.01));
    expect(w4.status).toBe('rejected');
    expect(w4.reason).toMatch(/but expected/);
  });

  it('rejects an i8 kernel whose rescale ignores the column scales (every column takes the first one\'s)', async () => {
    const colScale = '(f32.load (i32.add (local.get $colScales) (i32.shl (local.get $j) (i32.const 2))))';
    expect(matmulPrecisionWasm.code(seed('i8'), problemAt(0.05)).text).toContain(colScale);
    const result = await evaluate(seed('i8'), problemAt(0.05), (text) => text.replace(colScale, '(f32.load (local.get $colScales))'));
    expect(result.status).toBe('rejected');
    expect(result.reason).toMatch(/^(shapes|numerics) \([^)]*\): C\[\d+,\d+\] = \S+ but expected /);
  });
});
