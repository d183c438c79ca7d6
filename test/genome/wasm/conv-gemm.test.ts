import { describe, expect, it } from 'vitest';
import { familyFor } from '../../../genome/families/registry.ts';
import type { WasmLaunch } from '../../../genome/families/launch.ts';
import { problemFrom } from '../../../genome/ops/index.ts';
import type { ConvProblem } from '../../../genome/ops/conv/problem.ts';
import { convGemmWat, gemmWorkspace, loweringOf } from '../../../genome/wasm/conv/gemm.ts';
import { algorithmOf, convWasmGenome, type ConvGemmGenome, type ConvWasmGenome } from '../../../genome/wasm/conv/genome.ts';
import { convImplicitWat, implicitMatmul, implicitWorkspace } from '../../../genome/wasm/conv/implicit.ts';
import { planOf } from '../../../genome/wasm/conv/plan.ts';
import { wasmDirectSpace } from '../../../genome/wasm/conv/space.ts';
import { Rng } from '../../../lib/rng.ts';

const device = { id: 't', label: 't', facts: { backend: 'wasm', relaxedSimd: false } } as const;
const gemm = (op: ConvProblem['op'], genes: Partial<ConvGemmGenome> = {}): ConvGemmGenome => ({
  op,
  backend: 'wasm',
  family: 'direct',
  algorithm: 'im2col',
  mr: 4,
  nr: 8,
  kUnroll: 1,
  mc: 64,
  kc: 64,
  nc: 64,
  packA: false,
  packB: true,
  loopOrder: 'nkm',
  fma: false,
  ...genes,
});
const conv = (shape: string, geometry: Record<string, unknown> = {}) => problemFrom('conv2d', shape, geometry) as ConvProblem;

describe('im2col + GEMM codegen', () => {
  it('lowers the windows into A unless a 1x1 stride-1 window over an unpadded image already is A', () => {
    const lowering = (p: ConvProblem) => loweringOf(planOf(p), p);
    expect(lowering(conv('n2h6w5c7k9r1s1'))).toMatchObject({ lowered: false, matmul: { shape: { m: 60, k: 7, n: 9 } } });
    // stride 2: a strided gather of every other pixel
    expect(lowering(conv('n1h6w5c7k9r1s1', { stride: 2 }))).toMatchObject({ lowered: true, matmul: { shape: { m: 9, k: 7, n: 9 } } });
    expect(lowering(conv('n1h13w11c7k9r3s3', { stride: 2 }))).toMatchObject({ lowered: true, matmul: { shape: { m: 42, k: 63, n: 9 } } });
    // bwd-data: the dilated dY's windows times the turned weights [R*S*K, C]
    const bwd = problemFrom('conv2d-bwd-data', 'n1h13w11c7k9r3s3', { stride: 2 }) as ConvProblem;
    expect(lowering(bwd)).toMatchObject({ lowered: true, matmul: { shape: { m: 143, k: 81, n: 7 } } });
    // bwd-weights: im2col(X)^T [R*S*C, pixels] x dY [pixels, K], lowered (transposed) even for 1x1
    const weights = problemFrom('conv2d-bwd-weights', 'n2h6w5c7k9r1s1') as ConvProblem;
    expect(lowering(weights)).toMatchObject({ lowered: true, matmul: { shape: { m: 7, k: 60, n: 9 } } });
  });

  it('emits the matmul kernel of its genes behind one exported entry under the convolution ABI', () => {
    const pointwise = convGemmWat(gemm('conv2d'), conv('n2h6w5c7k9r1s1'));
    expect(pointwise).not.toMatch(/\$im2col/);
    expect(pointwise.match(/\(export /g)).toEqual(['(export ']);
    expect(pointwise).toMatch(/\(func \$gemm \(param \$a i32\) \(param \$b i32\)/);
    expect(pointwise).toMatch(/\(func \(export "conv2d"\)/);
    const windows = convGemmWat(gemm('conv2d', { packB: false }), conv('n1h13w11c7k9r3s3', { stride: 2 }));
    expect(windows).toMatch(/\(call \$im2col/);
    // the weight-packing gene: HWIO read as it lies, or packed into B panels per call
    expect(windows).not.toMatch(/\$pack_b/);
    expect(convGemmWat(gemm('conv2d'), conv('n1h13w11c7k9r3s3', { stride: 2 }))).toMatch(/call \$pack_b/);
    // or packed at load: conv2d's W is B as it lies; bwd-data turns it per call, so it cannot
    const atLoad = convGemmWat(gemm('conv2d', { packB: 'load' }), conv('n1h13w11c7k9r3s3', { stride: 2 }));
    expect(atLoad).toMatch(/\(func \(export "prepare"\) \(param \$b i32\) \(param \$packed i32\)/);
    expect(atLoad).toMatch(/\(param \$c i32\) \(param \$ws i32\) \(param \$packed i32\)\n/);
    expect(() => convGemmWat(gemm('conv2d-bwd-data', { packB: 'load' }), problemFrom('conv2d-bwd-data', 'n1h13w11c7k9r3s3', { stride: 2 }) as ConvProblem)).toThrow(/cannot be packed at load/);
  });

  it('passes bias and residual through to the matmul epilogue, in the ABI order', () => {
    const text = convGemmWat(gemm('conv2d', { epilogue: 'tile' }), conv('n1h5w5c3k6r3s3', { epilogue: ['bias', 'relu', 'residual'] }));
    expect(text).toMatch(/\(func \(export "conv2d"\) \(param \$a i32\) \(param \$b i32\) \(param \$bias i32\) \(param \$r i32\) \(param \$c i32\) \(param \$ws i32\)/);
    expect(text).toMatch(/\(call \$gemm .* \(local\.get \$b\) \(local\.get \$bias\) \(local\.get \$r\) \(local\.get \$c\)/);
  });

  it('sizes the workspace for the image, A and the matmul packing, and the launch asks for it', () => {
    const problem = conv('n1h13w11c7k9r3s3', { stride: 2 });
    const plan = planOf(problem);
    const ws = gemmWorkspace(plan, loweringOf(plan, problem));
    // padded image 1x15x13x7 first, then A [42, 63], then the matmul's M*K + K*N floats
    expect(ws.a).toBeGreaterThanOrEqual(4 * 15 * 13 * 7);
    expect(ws.inner).toBeGreaterThanOrEqual(ws.a + 4 * 42 * 63);
    expect(ws.bytes).toBe(ws.inner + 4 * (42 * 63 + 63 * 9));
    const launch = familyFor('conv2d', 'wasm').code(gemm('conv2d'), problem).launch as WasmLaunch;
    expect(launch.workspace.length).toBe(ws.bytes);
  });
});

describe('implicit GEMM codegen', () => {
  const implicit = (genes: Partial<ConvGemmGenome> = {}) => ({ ...gemm('conv2d', genes), algorithm: 'implicit' as const });

  it('is one [ow, S*C] x [S*C, K] GEMM per output row and window row, A read from the image at row stride stride*C', () => {
    const plan = planOf(conv('n1h13w11c7k9r3s3', { stride: 2 }));
    expect(implicitMatmul(plan)).toEqual({ matmul: { op: 'matmul', shape: { m: 6, k: 21, n: 9 }, dtype: 'f32' }, lda: 14 });
    // padded image 1x15x13x7, then the matmul's M*K + K*N floats: no im2col buffer
    const ws = implicitWorkspace(plan);
    expect(ws.inner).toBeGreaterThanOrEqual(4 * 15 * 13 * 7);
    expect(ws.bytes).toBe(ws.inner + 4 * (6 * 21 + 21 * 9));
    const text = convImplicitWat(implicit(), conv('n1h13w11c7k9r3s3', { stride: 2 }));
    expect(text).not.toMatch(/\$im2col/);
    expect(text).toMatch(/\(func \$gemm \(param \$a i32\) \(param \$b i32\) +\(param \$c i32\) \(param \$ws i32\) \(param \$accumulate i32\)/);
    // the window row is the accumulate flag: row 0 overwrites, the rest add in
    expect(text).toMatch(/\(call \$gemm .* \(local\.get \$tap\)\)/);
    // W packed at load: the prepare entry packs each window row's slice; the GEMM reads slice r of the region
    const atLoad = convImplicitWat(implicit({ packB: 'load' }), conv('n1h13w11c7k9r3s3', { stride: 2 }));
    expect(atLoad).toMatch(/\(func \(export "prepare"\) \(param \$b i32\) \(param \$packed i32\)/);
    expect(atLoad).toMatch(/\(call \$pack_w_row /);
    expect(atLoad).toMatch(/\(local\.get \$tap\) \(i32\.add \(local\.get \$packed\) \(i32\.mul \(local\.get \$tap\) \(i32\.const 756\)\)\)\)/);
  });

  it('runs a conv2d epilogue as passes after every window row, and refuses ops that are not dense forward', () => {
    const text = convImplicitWat(implicit(), conv('n1h5w5c3k6r3s3', { epilogue: ['bias', 'relu', 'residual'] }));
    expect(text).toMatch(/\(call \$bias_pass\)\n\s*\(call \$activation_pass\)\n\s*\(call \$residual_pass\)\)/);
    const weights = problemFrom('conv2d-bwd-weights', 'n1h5w5c3k6r3s3') as ConvProblem;
    expect(() => convImplicitWat({ ...implicit(), op: 'conv2d-bwd-weights' }, weights)).toThrow(/dense forward/);
    expect(familyFor('conv2d-bwd-weights', 'wasm').space(weights, device).check({ ...implicit(), op: 'conv2d-bwd-weights' } as never)).not.toBeNull();
  });
});

describe('the algorithm gene of the WASM convolution space', () => {
  const problem = conv('n1h13w11c7k9r3s3', { stride: 2 });
  const space = familyFor('conv2d', 'wasm').space(problem, device);

  it('seeds every algorithm, alternating, and leaves direct genomes as they were stored', () => {
    const seeds = space.seeds!();
    expect(seeds.slice(0, 3).map((g) => algorithmOf(g as ConvWasmGenome))).toEqual(['direct', 'im2col', 'implicit']);
    const direct = seeds[0]!;
    expect(convWasmGenome('conv2d').parse(direct)).toEqual(direct);
    expect(direct).not.toHaveProperty('algorithm');
  });

  it('samples and mutates across algorithms, every genome passing check, with the algorithm in its descriptor', () => {
    const rng = new Rng(11);
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const g = space.mutate(space.sample(rng), rng);
      expect(space.check(g), JSON.stringify(g)).toBeNull();
      seen.add(space.descriptor(g).at(-1)!);
    }
    expect([...seen].sort()).toEqual(['algorithm:direct', 'algorithm:im2col', 'algorithm:implicit']);
    const [a, b] = space.seeds!();
    expect(space.check(space.crossover(a!, b!, rng))).toBeNull();
  });

  it('repairs a direct genome stepped past the schema (vectors 5 where K has 16 vectors)', () => {
    // the direct space itself: its mutations hand repair such genomes (the family's door refuses them before)
    const wide = wasmDirectSpace(conv('n1h8w8c8k64r1s1'), { relaxedSimd: false });
    const repaired = wide.repair({ op: 'conv2d', backend: 'wasm', family: 'direct', tile: 2, vectors: 5, unroll: 1, order: 'pixels', fma: false });
    expect(repaired).toMatchObject({ tile: 2, vectors: 4 });
    expect(wide.check(repaired!)).toBeNull();
  });

  it('offers only the direct algorithm to depthwise ops (no channel reduction to make a GEMM of)', () => {
    const s = familyFor('dwconv2d', 'wasm').space(problemFrom('dwconv2d', 'n1h5w5c6r3s3'), device);
    expect(s.seeds!().every((g) => !('algorithm' in g))).toBe(true);
    expect(s.check(gemm('dwconv2d') as never)).not.toBeNull();
  });
});
