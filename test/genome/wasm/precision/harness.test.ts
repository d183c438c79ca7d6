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

// B as a model's weights (--weights fixed): quantized once, at load; test/genome/families/pack-each-call.test.ts covers B varying.
const problemAt = (accuracy: number) => parseProblem({ op: 'matmul', shape: { m: 37, n: 53, k: 40 }, accuracy, weights: 'fixed' });
const device = await cpuDeviceClass();
const seeds = matmulPrecisionWasm
  .space(problemAt(0.05), device)
  .seeds!()
  .map((g) => MatmulPrecisionWasmGenome.parse(g));
const seed = (precision: PrecisionGene) => seeds.find((g) => g.precision === precision)!;

const load = (p: Problem, code: { text: string; launch: unknown }) => wasmKernel(p, code.text, code.launch as WasmLaunch);

/** The whole harness a worker runs on the genome's kernel (its text edited by `splice`, to plant a bug), timed against the family's baseline. */
async function evaluate(genome: MatmulPrecisionWasmGenome, problem: Problem, splice: (text: string, launch: WasmLaunch) => string = (t) => t): Promise<KernelResult> {
  const code = (p: Problem) => {
    const honest = matmulPrecisionWasm.code(genome, p);
    return { ...honest, text: splice(honest.text, honest.launch as WasmLaunch) };
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
  it('f32, f16 and i8 pass at 5e-2, each coarser storage with the larger measured error (its rounding counted), all within the bound; B is quantized at load', async () => {
    const [f32, f16, i8] = await Promise.all((['f32', 'f16', 'i8'] as const).map((precision) => evaluate(seed(precision), problemAt(0.05))));
    for (const result of [f32, f16, i8]) expect(result!.status, result!.reason).toBe('ok');
    expect([f32!.precision, f16!.precision, i8!.precision]).toEqual([expect.stringMatching(/^f32/), 'f16', 'i8']);
    expect(errorOf(i8!, 0.05)).toBeLessThanOrEqual(0.05);
    // f16 rounds each input to 11 bits, int8 to 1/127 of each row's and column's largest value: both far coarser than f32's rounding.
    expect(errorOf(f16!, 0.05)).toBeGreaterThan(10 * errorOf(f32!, 0.05));
    expect(errorOf(i8!, 0.05)).toBeGreaterThan(5 * errorOf(f16!, 0.05));
    // The load-time step (B quantized and packed) is timed apart from the call.
    expect(i8!.timing!.prepareMs).toBeGreaterThanOrEqual(0);
    expect(f16!.timing!.prepareMs).toBeGreaterThanOrEqual(0);
  });

  it('w4 passes where its bound allows 4 bits (1e-1), quantized at load through the int4 kernel\'s own pack', async () => {
    const w4 = await evaluate(seed('w4'), problemAt(0.1));
    expect(w4.status, w4.reason).toBe('ok');
    expect([w4.precision, errorOf(w4, 0.1)]).toEqual(['w4', expect.any(Number)]);
    expect(w4.timing!.prepareMs).toBeGreaterThanOrEqual(0);
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

  it('rejects an i8 kernel whose rescale ignores B\'s column scales (every column takes the first one\'s)', async () => {
    const colScales = '(i32.add (local.get $colScales) (i32.shl (local.get $j) (i32.const 2)))';
    expect(matmulPrecisionWasm.code(seed('i8'), problemAt(0.05)).text).toContain(colScales);
    const result = await evaluate(seed('i8'), problemAt(0.05), (text) => text.replaceAll(colScales, '(local.get $colScales)'));
    expect(result.status).toBe('rejected');
    expect(result.reason).toMatch(/^(shapes|numerics) \([^)]*\): C\[\d+,\d+\] = \S+ but expected /);
  });

  it('rejects a load-time step that computes the product (it reads A at its fixed offset), leaving each call only the rescale', async () => {
    const cheat = (text: string, launch: WasmLaunch) => {
      const [a, , c] = launch.tensors.map((t) => t.offset);
      const rescale = /\(call \$rescale_i8 .*\(local\.get \$c\)\)/.exec(text)![0];
      const renamed = text.replace('(func (export "matmul")', '(func $honest').replace('(func (export "prepare")', '(func $honest_prepare');
      return `${renamed.slice(0, renamed.lastIndexOf(')'))}
(func (export "prepare") (param $b i32) (param $packed i32)
  (call $honest_prepare (local.get $b) (local.get $packed))
  (call $honest (i32.const ${a}) (local.get $b) (i32.const ${c}) (i32.const ${launch.workspace.offset}) (local.get $packed)))
(func (export "matmul") (param $a i32) (param $b i32) (param $c i32) (param $ws i32) (param $packed i32)
  ${rescale}))
`;
    };
    const result = await evaluate(seed('i8'), problemAt(0.05), cheat);
    expect(result.status).toBe('rejected');
    expect(result.stage, result.reason).toBe('loophole');
  });

  it('rejects an f16 kernel that always takes the finite-only widening: B\'s Inf and NaN halves come out finite', async () => {
    const branch = /\(if \(i32\.load [^\n]*\n\s*\(then \(call \$tiles_f16_special/;
    expect(matmulPrecisionWasm.code(seed('f16'), problemAt(0.05)).text).toMatch(branch);
    const result = await evaluate(seed('f16'), problemAt(0.05), (text) => text.replace('(call $tiles_f16_special', '(call $tiles_f16'));
    expect(result.status).toBe('rejected');
    expect(result.stage).toBe('edges');
  });
});
