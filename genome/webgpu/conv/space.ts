import { describeZodError, KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import { geometry } from '../../ops/conv/geometry.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
import { K_TILE, largest, limitOf, MAX_UNROLLED_FMAS, nextPow2, REGISTER_TILE, repairTile, tileMutations, tileProblem, tileSize, UNROLL, WORKGROUP, type WebgpuCaps } from '../tile-genes.ts';
import { convCodegenProblem, convWorkgroupBytes } from './codegen.ts';
import { convWebgpuGenome, type ConvWebgpuGenome } from './genome.ts';
import { convPlan } from './plan.ts';

/**
 * Global loads in the unrolled reduction body. lavapipe compiles a shader at
 * its first dispatch, about a second per few dozen gathered loads on a loaded
 * two-core machine: past this a candidate's harness (seven shapes, seven
 * compiles) outran the job deadline. A depthwise term loads an A vector per
 * row and column group; a dense one a scalar per row.
 */
export const MAX_UNROLLED_LOADS = 32;

/**
 * The WGSL genes of one convolution problem on one adapter: as matmul's
 * (genome/webgpu/space.ts) over the op's rows x cols of sums (plan.ts), plus
 * the algorithm; depthwise ops have only the direct one. Implicit GEMM
 * stages kTile-deep tiles in workgroup memory; the direct algorithm of the
 * forward ops stages its input band with the halo (kTile channels a stage).
 */
export function webgpuConvSpace(problem: ConvProblem, caps: WebgpuCaps): SearchSpace<ConvWebgpuGenome> {
  const plan = convPlan(problem.op, geometry(problem));
  const schema = convWebgpuGenome(problem.op);
  const name = `${problem.op}/webgpu`;
  const limit = limitOf(caps);
  const algorithms: ConvWebgpuGenome['algorithm'][] = plan.depthwise ? ['direct'] : ['direct', 'gemm'];
  const epilogues: readonly ('fused' | 'pass')[] = problem.epilogue ? ['fused', 'pass'] : [];
  const maxRows = nextPow2(plan.rows);
  const maxCols = Math.max(4, nextPow2(plan.cols));
  const bounds = { maxRows, maxCols, rowsName: `the ${plan.rows} output rows`, colsName: `the ${plan.cols} output columns` };
  const terms = plan.outer * plan.inner;
  const loadsPerTerm = (g: ConvWebgpuGenome) => (plan.depthwise ? g.tm * g.tn * g.vec : g.tm) + g.tn * g.vec;

  function check(genome: ConvWebgpuGenome): string | null {
    const parsed = schema.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    const codegen = convCodegenProblem(g, plan);
    if (codegen) return codegen;
    if (problem.epilogue && !g.epilogue) return 'the problem has an epilogue: say how it runs (epilogue fused or pass)';
    if (!problem.epilogue && g.epilogue) return 'the problem has no epilogue to fuse';
    const tile = tileProblem(g, limit, bounds);
    if (tile) return tile;
    if (loadsPerTerm(g) * g.unroll > MAX_UNROLLED_LOADS) return `unroll ${g.unroll} of ${loadsPerTerm(g)} loads per term is over ${MAX_UNROLLED_LOADS} unrolled loads`;
    if (g.kTile > nextPow2(terms)) return `kTile ${g.kTile} is bigger than the ${terms} terms of a sum need`;
    const bytes = convWorkgroupBytes(g, plan);
    if (bytes > limit('maxComputeWorkgroupStorageSize')) return `its tiles take ${bytes} bytes of workgroup memory, over the adapter's ${limit('maxComputeWorkgroupStorageSize')}`;
    const workgroups = Math.max(Math.ceil(plan.cols / (g.workgroupX * g.tn * g.vec)), Math.ceil(plan.rows / (g.workgroupY * g.tm)));
    if (workgroups > limit('maxComputeWorkgroupsPerDimension')) return `${workgroups} workgroups in one dimension is over the adapter's limit`;
    return null;
  }

  function repair(genome: ConvWebgpuGenome): ConvWebgpuGenome | null {
    const { epilogue: _epilogue, ...rest } = genome;
    const g: ConvWebgpuGenome = { ...rest, ...(epilogues.length ? { epilogue: genome.epilogue ?? epilogues[0] } : {}) };
    if (!algorithms.includes(g.algorithm)) g.algorithm = 'direct';
    if (g.algorithm === 'direct' && !plan.image) g.workgroupMemory = false;
    if (g.vec === 4 && plan.cols < 4) g.vec = 1;
    repairTile(g, limit, bounds);
    g.kTile = largest(K_TILE, Math.min(g.kTile, nextPow2(terms)));
    while (convWorkgroupBytes(g, plan) > limit('maxComputeWorkgroupStorageSize') && g.kTile > 1) g.kTile /= 2;
    if (convWorkgroupBytes(g, plan) > limit('maxComputeWorkgroupStorageSize')) g.workgroupMemory = false;
    while (loadsPerTerm(g) > MAX_UNROLLED_LOADS) {
      if (g.tm >= g.tn * g.vec && g.tm > 1) g.tm--;
      else if (g.tn > 1) g.tn--;
      else g.vec = 1;
    }
    g.unroll = largest(UNROLL, Math.min(g.unroll, Math.floor(MAX_UNROLLED_FMAS / (g.tm * g.tn)), Math.floor(MAX_UNROLLED_LOADS / loadsPerTerm(g))));
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
      workgroupMemory: (algorithm === 'gemm' || plan.image !== null) && rng.chance(0.5),
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

  const mutations: ((g: ConvWebgpuGenome, rng: Rng) => ConvWebgpuGenome)[] = [
    ...tileMutations<ConvWebgpuGenome>(),
    (g, rng) => ({ ...g, algorithm: rng.pick(algorithms) }),
    // Only the forward ops stage a direct loop's input (a halo band); the others stage implicit-GEMM tiles.
    (g) => ({ ...g, workgroupMemory: !g.workgroupMemory, algorithm: g.workgroupMemory || plan.image ? g.algorithm : 'gemm' }),
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
    return [g.workgroupMemory ? `${g.algorithm}-staged` : g.algorithm, tileSize(g), ...(g.epilogue ? [`epilogue:${g.epilogue}`] : [])];
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
