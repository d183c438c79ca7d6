import { describeZodError, KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import { geometry } from '../../ops/conv/geometry.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
import { MAX_ACCUMULATORS, MAX_UNROLLED_FMAS, type WebgpuCaps } from '../space.ts';
import { convCodegenProblem, convWorkgroupBytes } from './codegen.ts';
import { convWebgpuGenome, type ConvWebgpuGenome } from './genome.ts';
import { convPlan } from './plan.ts';

const DEFAULT_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 256,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeWorkgroupsPerDimension: 65535,
} as const;

const WORKGROUP = [1, 2, 4, 8, 16, 32, 64];
const REGISTER_TILE = [1, 2, 3, 4, 5, 6, 7, 8];
const K_TILE = [1, 2, 4, 8, 16, 32, 64];
const UNROLL = [1, 2, 4, 8, 16];
const MIN_THREADS = 4;

const nextPow2 = (x: number) => 2 ** Math.ceil(Math.log2(Math.max(1, x)));

/**
 * The WGSL genes of one convolution problem on one adapter: as matmul's
 * (genome/webgpu/space.ts) over the op's rows x cols of sums (plan.ts), plus
 * the algorithm; depthwise ops have only the direct one, and only implicit
 * GEMM stages tiles in workgroup memory.
 */
export function webgpuConvSpace(problem: ConvProblem, caps: WebgpuCaps): SearchSpace<ConvWebgpuGenome> {
  const plan = convPlan(problem.op, geometry(problem));
  const schema = convWebgpuGenome(problem.op);
  const name = `${problem.op}/webgpu`;
  const limit = (key: keyof typeof DEFAULT_LIMITS) => caps.limits[key] ?? DEFAULT_LIMITS[key];
  const algorithms: ConvWebgpuGenome['algorithm'][] = plan.depthwise ? ['direct'] : ['direct', 'gemm'];
  const epilogues: readonly ('fused' | 'pass')[] = problem.epilogue ? ['fused', 'pass'] : [];
  const maxRows = nextPow2(plan.rows);
  const maxCols = Math.max(4, nextPow2(plan.cols));
  const terms = plan.outer * plan.inner;

  function check(genome: ConvWebgpuGenome): string | null {
    const parsed = schema.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    const codegen = convCodegenProblem(g, plan.depthwise);
    if (codegen) return codegen;
    if (problem.epilogue && !g.epilogue) return 'the problem has an epilogue: say how it runs (epilogue fused or pass)';
    if (!problem.epilogue && g.epilogue) return 'the problem has no epilogue to fuse';
    const threads = g.workgroupX * g.workgroupY;
    if (threads > limit('maxComputeInvocationsPerWorkgroup')) return `a ${g.workgroupX}x${g.workgroupY} workgroup is ${threads} threads, over the adapter's ${limit('maxComputeInvocationsPerWorkgroup')}`;
    if (threads < MIN_THREADS) return `a ${g.workgroupX}x${g.workgroupY} workgroup is fewer than ${MIN_THREADS} threads`;
    if (g.workgroupX > limit('maxComputeWorkgroupSizeX') || g.workgroupY > limit('maxComputeWorkgroupSizeY')) return `workgroup ${g.workgroupX}x${g.workgroupY} is over the adapter's per-dimension size limits`;
    const accumulators = g.tm * g.tn * g.vec;
    if (accumulators > MAX_ACCUMULATORS) return `a ${g.tm}x${g.tn * g.vec} register tile is ${accumulators} accumulators, over ${MAX_ACCUMULATORS}`;
    if (g.tm * g.tn * g.unroll > MAX_UNROLLED_FMAS) return `unroll ${g.unroll} of a ${g.tm}x${g.tn} tile is over ${MAX_UNROLLED_FMAS} unrolled operations`;
    const rows = g.workgroupY * g.tm;
    const cols = g.workgroupX * g.tn * g.vec;
    if (rows > maxRows) return `a tile of ${rows} rows is bigger than the ${plan.rows} output rows need`;
    if (cols > maxCols) return `a tile of ${cols} columns is bigger than the ${plan.cols} output columns need`;
    if (g.kTile > nextPow2(terms)) return `kTile ${g.kTile} is bigger than the ${terms} terms of a sum need`;
    const bytes = convWorkgroupBytes(g, plan);
    if (bytes > limit('maxComputeWorkgroupStorageSize')) return `its tiles take ${bytes} bytes of workgroup memory, over the adapter's ${limit('maxComputeWorkgroupStorageSize')}`;
    const workgroups = Math.max(Math.ceil(plan.cols / cols), Math.ceil(plan.rows / rows));
    if (workgroups > limit('maxComputeWorkgroupsPerDimension')) return `${workgroups} workgroups in one dimension is over the adapter's limit`;
    return null;
  }

  const largest = (grid: readonly number[], x: number) => [...grid].reverse().find((v) => v <= x) ?? grid[0]!;

  function repair(genome: ConvWebgpuGenome): ConvWebgpuGenome | null {
    const { epilogue: _epilogue, ...rest } = genome;
    const g: ConvWebgpuGenome = { ...rest, ...(epilogues.length ? { epilogue: genome.epilogue ?? epilogues[0] } : {}) };
    if (!algorithms.includes(g.algorithm)) g.algorithm = 'direct';
    if (g.algorithm !== 'gemm') g.workgroupMemory = false;
    if (g.vec === 4 && plan.cols < 4) g.vec = 1;
    g.tm = Math.min(g.tm, maxRows);
    g.tn = Math.max(1, Math.min(g.tn, Math.floor(maxCols / g.vec)));
    while (g.tm * g.tn * g.vec > MAX_ACCUMULATORS) {
      if (g.tm >= g.tn && g.tm > 1) g.tm--;
      else g.tn--;
    }
    g.workgroupY = largest(WORKGROUP, Math.min(g.workgroupY, limit('maxComputeWorkgroupSizeY'), Math.max(1, Math.floor(maxRows / g.tm))));
    g.workgroupX = largest(WORKGROUP, Math.min(g.workgroupX, limit('maxComputeWorkgroupSizeX'), Math.max(1, Math.floor(maxCols / (g.tn * g.vec)))));
    while (g.workgroupX * g.workgroupY > limit('maxComputeInvocationsPerWorkgroup')) {
      if (g.workgroupX >= g.workgroupY) g.workgroupX /= 2;
      else g.workgroupY /= 2;
    }
    g.kTile = largest(K_TILE, Math.min(g.kTile, nextPow2(terms)));
    while (convWorkgroupBytes(g, plan) > limit('maxComputeWorkgroupStorageSize') && g.kTile > 1) g.kTile /= 2;
    if (convWorkgroupBytes(g, plan) > limit('maxComputeWorkgroupStorageSize')) g.workgroupMemory = false;
    g.unroll = largest(UNROLL, Math.min(g.unroll, Math.floor(MAX_UNROLLED_FMAS / (g.tm * g.tn))));
    return check(g) === null ? g : null;
  }

  function draw(rng: Rng): ConvWebgpuGenome {
    const algorithm = rng.pick(algorithms);
    return {
      op: problem.op,
      backend: 'webgpu',
      family: 'conv',
      algorithm,
      workgroupX: rng.pick(WORKGROUP),
      workgroupY: rng.pick(WORKGROUP),
      tm: rng.pick(REGISTER_TILE),
      tn: rng.pick(REGISTER_TILE),
      vec: rng.pick([1, 4] as const),
      workgroupMemory: algorithm === 'gemm' && rng.chance(0.5),
      kTile: rng.pick(K_TILE),
      unroll: rng.pick(UNROLL),
      ...(epilogues.length ? { epilogue: rng.pick(epilogues) } : {}),
    };
  }

  function sample(rng: Rng): ConvWebgpuGenome {
    // Repair fails only where a workgroup shrinks below MIN_THREADS on a tiny problem: draw again.
    for (let attempt = 0; attempt < 100; attempt++) {
      const g = repair(draw(rng));
      if (g) return g;
    }
    const g = repair({ ...draw(rng), workgroupX: 4, workgroupY: 1, tm: 1, tn: 1, vec: 1 });
    if (!g) throw new KevoError('FAILURE', `${name}: no genome fits this problem`);
    return g;
  }

  const step = (values: readonly number[], current: number, rng: Rng) => {
    const at = values.reduce((best, v, i) => (Math.abs(v - current) < Math.abs(values[best]! - current) ? i : best), 0);
    const neighbours = [values[at - 1], values[at + 1]].filter((v): v is number => v !== undefined);
    return neighbours.length > 0 ? rng.pick(neighbours) : values[at]!;
  };

  const mutations: ((g: ConvWebgpuGenome, rng: Rng) => ConvWebgpuGenome)[] = [
    (g, rng) => ({ ...g, workgroupX: step(WORKGROUP, g.workgroupX, rng) }),
    (g, rng) => ({ ...g, workgroupY: step(WORKGROUP, g.workgroupY, rng) }),
    (g, rng) => ({ ...g, tm: step(REGISTER_TILE, g.tm, rng) }),
    (g, rng) => ({ ...g, tn: step(REGISTER_TILE, g.tn, rng) }),
    (g) => ({ ...g, vec: g.vec === 4 ? 1 : 4 }),
    (g, rng) => ({ ...g, kTile: step(K_TILE, g.kTile, rng) }),
    (g, rng) => ({ ...g, unroll: step(UNROLL, g.unroll, rng) }),
    (g, rng) => ({ ...g, algorithm: rng.pick(algorithms) }),
    (g) => ({ ...g, workgroupMemory: !g.workgroupMemory, algorithm: g.workgroupMemory ? g.algorithm : 'gemm' }),
    ...(epilogues.length ? [(g: ConvWebgpuGenome) => ({ ...g, epilogue: g.epilogue === 'fused' ? ('pass' as const) : ('fused' as const) })] : []),
  ];

  function mutate(genome: ConvWebgpuGenome, rng: Rng): ConvWebgpuGenome {
    const changes = rng.chance(0.3) ? 2 : 1;
    let g = genome;
    for (let i = 0; i < changes; i++) g = repair(rng.pick(mutations)(g, rng)) ?? g;
    return g;
  }

  function crossover(a: ConvWebgpuGenome, b: ConvWebgpuGenome, rng: Rng): ConvWebgpuGenome {
    // Genes that only mean something together travel together: the workgroup shape, the register tile, the reduction.
    const pick = () => (rng.chance(0.5) ? a : b);
    const workgroup = pick();
    const tile = pick();
    const reduction = pick();
    const child: ConvWebgpuGenome = {
      ...a,
      workgroupX: workgroup.workgroupX,
      workgroupY: workgroup.workgroupY,
      tm: tile.tm,
      tn: tile.tn,
      vec: tile.vec,
      algorithm: reduction.algorithm,
      workgroupMemory: reduction.workgroupMemory,
      kTile: reduction.kTile,
      unroll: pick().unroll,
      ...(epilogues.length ? { epilogue: pick().epilogue } : {}),
    };
    return repair(child) ?? a;
  }

  function descriptor(g: ConvWebgpuGenome): readonly string[] {
    const outputs = g.workgroupX * g.workgroupY * g.tm * g.tn * g.vec;
    const size = outputs <= 256 ? 'small' : outputs <= 2048 ? 'medium' : 'large';
    return [g.workgroupMemory ? 'gemm-staged' : g.algorithm, `tile:${size}`, ...(g.epilogue ? [`epilogue:${g.epilogue}`] : [])];
  }

  /**
   * Hand-written starts: 8x8 threads of 4 rows x one vec4 of columns (the
   * shape that led matmul on lavapipe), direct; for dense ops the same as an
   * implicit GEMM staged through workgroup memory (what real GPUs reward).
   */
  function seeds(): ConvWebgpuGenome[] {
    const start = { op: problem.op, backend: 'webgpu', family: 'conv', workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, vec: 4, kTile: 16, unroll: 4 } as const;
    const starts: ConvWebgpuGenome[] = [
      { ...start, algorithm: 'direct', workgroupMemory: false },
      ...(plan.depthwise ? [] : [{ ...start, algorithm: 'gemm' as const, workgroupMemory: true }]),
    ];
    return starts.map(repair).filter((g): g is ConvWebgpuGenome => g !== null);
  }

  return { name, schema, sample, mutate, crossover, check, repair, seeds, descriptor };
}
