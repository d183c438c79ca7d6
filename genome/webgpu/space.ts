import { describeZodError, KevoError } from '../../lib/errors.ts';
import type { Rng } from '../../lib/rng.ts';
import { accuracyOf, meetsAccuracy } from '../ops/accuracy.ts';
import type { MatmulProblem } from '../ops/matmul-problem.ts';
import type { SearchSpace } from '../space.ts';
import type { Target } from '../target.ts';
import { codegenProblem, workgroupBytes } from './codegen.ts';
import { MatmulWebgpuGenome } from './genome.ts';
import { K_TILE, largest, limitOf, nextPow2, REGISTER_TILE, repairTile, tileMutations, tileProblem, tileSize, UNROLL, WORKGROUP, MAX_UNROLLED_FMAS, type WebgpuCaps } from './tile-genes.ts';

export type { WebgpuCaps } from './tile-genes.ts';
export { MAX_ACCUMULATORS, MAX_UNROLLED_FMAS } from './tile-genes.ts';

/** A target's adapter capabilities; none for a target that is no WebGPU device. */
export function webgpuCaps(device: Target): WebgpuCaps {
  return device.facts.backend === 'webgpu' ? device.facts : { features: [], limits: {} };
}

/**
 * The WGSL matmul genes for one problem on one adapter. The adapter's limits
 * (threads and shared memory per workgroup, workgroups per dispatch) and
 * features (shader-f16) are constraints; so are a register budget, a bound on
 * unrolled code, and tiles no bigger than the problem rounded up to a power of two.
 */
export function webgpuMatmulSpace(problem: MatmulProblem, caps: WebgpuCaps): SearchSpace<MatmulWebgpuGenome> {
  const { m, n, k } = problem.shape;
  const limit = limitOf(caps);
  // f16 only where the adapter has it and the problem's accuracy contract allows its rounding.
  const f16 = caps.features.includes('shader-f16') && meetsAccuracy('f16', accuracyOf(problem));
  const precisions: MatmulWebgpuGenome['precision'][] = f16 ? ['f32', 'f16'] : ['f32'];
  // The epilogue gene exists only for a problem with an epilogue, so plain genomes (and their hashes) stay as they were.
  const epilogues: readonly ('fused' | 'pass')[] = problem.epilogue ? ['fused', 'pass'] : [];
  const maxRows = nextPow2(m);
  const maxCols = Math.max(4, nextPow2(n));
  const bounds = { maxRows, maxCols, rowsName: `M ${m}`, colsName: `N ${n}` };

  function check(genome: MatmulWebgpuGenome): string | null {
    const parsed = MatmulWebgpuGenome.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    const codegen = codegenProblem(g);
    if (codegen) return codegen;
    if (problem.epilogue && !g.epilogue) return 'the problem has an epilogue: say how it runs (epilogue fused or pass)';
    if (!problem.epilogue && g.epilogue) return 'the problem has no epilogue to fuse';
    if (g.precision === 'f16' && !f16) return `precision f16 needs the shader-f16 feature and a problem whose accuracy contract allows it (this one: ${accuracyOf(problem)})`;
    const tile = tileProblem(g, limit, bounds);
    if (tile) return tile;
    if (g.kTile > nextPow2(k)) return `kTile ${g.kTile} is bigger than K ${k} needs`;
    const bytes = workgroupBytes(g, k);
    if (bytes > limit('maxComputeWorkgroupStorageSize')) {
      return `its tiles take ${bytes} bytes of workgroup memory, over the adapter's ${limit('maxComputeWorkgroupStorageSize')}`;
    }
    const workgroups = Math.max(Math.ceil(n / (g.workgroupX * g.tn * g.vec)), Math.ceil(m / (g.workgroupY * g.tm)));
    if (workgroups > limit('maxComputeWorkgroupsPerDimension')) return `${workgroups} workgroups in one dimension is over the adapter's limit`;
    return null;
  }

  function repair(genome: MatmulWebgpuGenome): MatmulWebgpuGenome | null {
    const { epilogue: _epilogue, ...rest } = genome;
    const g: MatmulWebgpuGenome = { ...rest, ...(epilogues.length ? { epilogue: genome.epilogue ?? epilogues[0] } : {}) };
    if (g.precision === 'f16' && !f16) g.precision = 'f32';
    if (!g.workgroupMemory) g.doubleBuffer = false;
    if (g.vec === 4 && n < 4) g.vec = 1;
    repairTile(g, limit, bounds);
    g.kTile = largest(K_TILE, Math.min(g.kTile, nextPow2(k)));
    while (workgroupBytes(g, k) > limit('maxComputeWorkgroupStorageSize') && g.kTile > 1) g.kTile /= 2;
    if (workgroupBytes(g, k) > limit('maxComputeWorkgroupStorageSize')) g.doubleBuffer = false;
    if (workgroupBytes(g, k) > limit('maxComputeWorkgroupStorageSize')) g.workgroupMemory = false;
    g.unroll = largest(UNROLL, Math.min(g.unroll, Math.floor(MAX_UNROLLED_FMAS / (g.tm * g.tn))), (u) => g.kTile % u === 0);
    return check(g) === null ? g : null;
  }

  const repaired = (genome: MatmulWebgpuGenome) => {
    const g = repair(genome);
    if (!g) throw new KevoError('FAILURE', `matmul/webgpu: could not repair ${JSON.stringify(genome)}`);
    return g;
  };

  function draw(rng: Rng): MatmulWebgpuGenome {
    const workgroupMemory = rng.chance(0.5);
    return {
      op: 'matmul',
      backend: 'webgpu',
      family: 'tiled',
      workgroupX: rng.pick(WORKGROUP),
      workgroupY: rng.pick(WORKGROUP),
      tm: rng.pick(REGISTER_TILE),
      tn: rng.pick(REGISTER_TILE),
      vec: rng.pick([1, 4] as const),
      kTile: rng.pick(K_TILE),
      workgroupMemory,
      doubleBuffer: workgroupMemory && rng.chance(0.5),
      unroll: rng.pick(UNROLL),
      precision: rng.pick(precisions),
      ...(epilogues.length ? { epilogue: rng.pick(epilogues) } : {}),
    };
  }

  function sample(rng: Rng): MatmulWebgpuGenome {
    // Repair fails only for draws whose workgroup shrinks below MIN_THREADS on a tiny problem: draw again.
    for (let attempt = 0; attempt < 100; attempt++) {
      const g = repair(draw(rng));
      if (g) return g;
    }
    return repaired({ ...draw(rng), workgroupX: 4, workgroupY: 1, tm: 1, tn: 1, vec: 1 });
  }

  const mutations: ((g: MatmulWebgpuGenome, rng: Rng) => MatmulWebgpuGenome)[] = [
    ...tileMutations<MatmulWebgpuGenome>(),
    (g) => ({ ...g, workgroupMemory: !g.workgroupMemory }),
    (g) => ({ ...g, doubleBuffer: !g.doubleBuffer, workgroupMemory: g.workgroupMemory || !g.doubleBuffer }),
    (g, rng) => ({ ...g, precision: rng.pick(precisions) }),
    ...(epilogues.length ? [(g: MatmulWebgpuGenome) => ({ ...g, epilogue: g.epilogue === 'fused' ? ('pass' as const) : ('fused' as const) })] : []),
  ];

  function mutate(genome: MatmulWebgpuGenome, rng: Rng): MatmulWebgpuGenome {
    const changes = rng.chance(0.3) ? 2 : 1;
    let g = genome;
    for (let i = 0; i < changes; i++) g = repair(rng.pick(mutations)(g, rng)) ?? g;
    return g;
  }

  function crossover(a: MatmulWebgpuGenome, b: MatmulWebgpuGenome, rng: Rng): MatmulWebgpuGenome {
    // Genes that only mean something together travel together: the workgroup shape, the register tile, the K staging.
    const pick = () => (rng.chance(0.5) ? a : b);
    const workgroup = pick();
    const tile = pick();
    const staging = pick();
    const child: MatmulWebgpuGenome = {
      op: 'matmul',
      backend: 'webgpu',
      family: 'tiled',
      workgroupX: workgroup.workgroupX,
      workgroupY: workgroup.workgroupY,
      tm: tile.tm,
      tn: tile.tn,
      vec: tile.vec,
      kTile: staging.kTile,
      workgroupMemory: staging.workgroupMemory,
      doubleBuffer: staging.doubleBuffer,
      unroll: pick().unroll,
      precision: pick().precision,
      ...(epilogues.length ? { epilogue: pick().epilogue } : {}),
    };
    return repair(child) ?? a;
  }

  function descriptor(g: MatmulWebgpuGenome): readonly string[] {
    return [g.precision, tileSize(g), g.workgroupMemory ? 'staged' : 'direct', ...(g.epilogue ? [`epilogue:${g.epilogue}`] : [])];
  }

  function seeds(): MatmulWebgpuGenome[] {
    return STARTS.map(repair).filter((g): g is MatmulWebgpuGenome => g !== null && check(g) === null);
  }

  return { name: 'matmul/webgpu', schema: MatmulWebgpuGenome, sample, mutate, crossover, check, repair, seeds, descriptor };
}

/**
 * The hand-written starts: 8x8 threads each computing a 4x4 tile as vec4
 * accumulators (the best kernel measured by hand on lavapipe), and the same
 * staging A and B tiles in workgroup memory (what real GPUs usually reward).
 */
const STARTS: readonly MatmulWebgpuGenome[] = [
  { op: 'matmul', backend: 'webgpu', family: 'tiled', workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, vec: 4, kTile: 1, workgroupMemory: false, doubleBuffer: false, unroll: 1, precision: 'f32' },
  { op: 'matmul', backend: 'webgpu', family: 'tiled', workgroupX: 8, workgroupY: 8, tm: 4, tn: 1, vec: 4, kTile: 16, workgroupMemory: true, doubleBuffer: false, unroll: 4, precision: 'f32' },
];
