import { describe, expect, it } from 'vitest';
import { findGenomeFamily } from '../../../../genome/families/registry.ts';
import { WasmLaunch } from '../../../../genome/families/launch.ts';
import type { Genome } from '../../../../genome/genome.ts';
import { problemFrom, type Problem } from '../../../../genome/ops/index.ts';
import { spaceFor } from '../../../../genome/spaces.ts';
import type { Target } from '../../../../genome/target.ts';
import { verify } from '../../../../verifiers/harness.ts';
import { enableRelaxedSimd } from '../../../../worker/wasm/features.ts';
import { wasmKernel } from '../../../../worker/wasm/kernel.ts';

const relaxedSimd = enableRelaxedSimd();
const device: Target = { id: 'test', label: 'test', facts: { backend: 'wasm', relaxedSimd } };
const winograd = findGenomeFamily('conv2d', 'wasm', 'winograd')!;

/** Every stage of the harness (edge shapes included) on a Winograd genome, held to `precision`. */
async function verdict(problem: Problem, genome: Genome, precision = winograd.precision(genome)) {
  const code = (p: Problem) => winograd.code(genome, p);
  const result = await verify((p) => wasmKernel(p, code(p).text, WasmLaunch.parse(code(p).launch)), problem, { seed: 5, precision });
  await result.kernel?.dispose();
  return result.failure?.reason;
}

describe('the Winograd conv2d family on WASM', () => {
  it('every seed passes the whole harness on odd shapes, same and valid, and with a fused epilogue', async () => {
    const problems = [
      problemFrom('conv2d', 'n1h13w11c7k9r3s3', { accuracy: 'f32-norm' }),
      problemFrom('conv2d', 'n2h13w11c7k9r3s3', { pad: 'valid', accuracy: 'f32-norm' }),
      problemFrom('conv2d', 'n1h7w9c5k6r3s3', { accuracy: 'f32-norm', epilogue: ['bias', 'gelu', 'residual'] }),
    ];
    for (const problem of problems) {
      const seeds = spaceFor(problem, 'wasm', device).seeds!().filter((g) => g.family === 'winograd');
      expect(seeds.length).toBeGreaterThan(0);
      for (const genome of seeds) expect(await verdict(problem, genome), JSON.stringify(genome)).toBeUndefined();
    }
  });
});
