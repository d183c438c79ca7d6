import type { z } from 'zod';
import { describeZodError, KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { GeneratedGenome } from '../../genome.ts';
import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { MAX_ACCUMULATORS, MAX_UNROLLED_FMAS, type WebgpuCaps } from '../space.ts';
import { largest, limitOf, MIN_THREADS, nextPow2, REGISTER_TILE, UNROLL, WORKGROUP, workgroupProblem } from '../tile-genes.ts';
import type { DirectTile } from './genes.ts';

/** A direct-tile genome: the shared tile genes, the family's fixed fields and its choice genes (strings). */
export type DirectGenome = DirectTile & GeneratedGenome;

/**
 * What a family over the direct register tile (genes.ts) adds: its schema
 * and fixed fields, its choice genes with the values this problem on this
 * adapter allows (the first is the repair default; a value outside the list
 * fails check with the family's reason), how many multiply-adds one unrolled
 * step of one accumulator lane costs, and its hand-picked seeds.
 */
export interface DirectFamilySpec<G extends DirectGenome> {
  readonly name: string;
  readonly schema: z.ZodType<G>;
  readonly fixed: Pick<G, 'op' | 'backend' | 'family'>;
  readonly choices: { readonly [gene: string]: { readonly values: readonly string[]; readonly why: string } };
  /** Multiply-adds per unrolled step per accumulator vector (f16: 4 lanes x 1 k; int8: 4 lanes x 4 k). */
  readonly stepWeight: number;
  readonly seeds: readonly G[];
  readonly descriptor: (g: G) => readonly string[];
}

/**
 * The search space of a direct-tile family on one problem and adapter: the
 * adapter's workgroup limits, a register budget (tm x tn vec4 accumulators),
 * a bound on unrolled code, tiles no bigger than the problem rounded up to a
 * power of two, and the family's choice genes. Patterned on ../space.ts.
 */
export function directSpace<G extends DirectGenome>(shape: MatmulShape, caps: WebgpuCaps, spec: DirectFamilySpec<G>): SearchSpace<G> {
  const { m, n } = shape;
  const limit = limitOf(caps);
  const maxRows = nextPow2(m);
  // A thread covers four columns: a narrow problem still gets MIN_THREADS threads side by side.
  const maxCols = Math.max(4 * MIN_THREADS, nextPow2(n));
  const choiceGenes = Object.entries(spec.choices);

  function check(genome: G): string | null {
    const parsed = spec.schema.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    for (const [gene, { values, why }] of choiceGenes) {
      if (!values.includes(g[gene] as string)) return `${gene} ${String(g[gene])}: ${why}`;
    }
    const workgroup = workgroupProblem(g, limit);
    if (workgroup) return workgroup;
    if (g.tm * g.tn * 4 > MAX_ACCUMULATORS) return `a ${g.tm}x${g.tn * 4} register tile is ${g.tm * g.tn * 4} accumulators, over ${MAX_ACCUMULATORS}`;
    if (g.tm * g.tn * g.unroll * spec.stepWeight > MAX_UNROLLED_FMAS) return `unroll ${g.unroll} of a ${g.tm}x${g.tn * 4} tile is over ${MAX_UNROLLED_FMAS} unrolled multiply-adds`;
    const rows = g.workgroupY * g.tm;
    const cols = g.workgroupX * g.tn * 4;
    if (rows > maxRows) return `a tile of ${rows} rows is bigger than M ${m} needs`;
    if (cols > maxCols) return `a tile of ${cols} columns is bigger than N ${n} needs`;
    const workgroups = Math.max(Math.ceil(n / cols), Math.ceil(m / rows));
    if (workgroups > limit('maxComputeWorkgroupsPerDimension')) return `${workgroups} workgroups in one dimension is over the adapter's limit`;
    return null;
  }


  function repair(genome: G): G | null {
    const g: G = { ...genome };
    const genes = g as Record<string, unknown>;
    for (const [gene, { values }] of choiceGenes) if (!values.includes(genes[gene] as string)) genes[gene] = values[0];
    genes.tm = Math.min(g.tm, maxRows);
    genes.tn = Math.max(1, Math.min(g.tn, maxCols / 4));
    while (g.tm * g.tn * 4 > MAX_ACCUMULATORS) {
      if (g.tm >= g.tn && g.tm > 1) genes.tm = g.tm - 1;
      else genes.tn = g.tn - 1;
    }
    genes.workgroupY = largest(WORKGROUP, Math.min(g.workgroupY, limit('maxComputeWorkgroupSizeY'), Math.max(1, Math.floor(maxRows / g.tm))));
    genes.workgroupX = largest(WORKGROUP, Math.min(g.workgroupX, limit('maxComputeWorkgroupSizeX'), Math.max(1, Math.floor(maxCols / (g.tn * 4)))));
    while (g.workgroupX * g.workgroupY > limit('maxComputeInvocationsPerWorkgroup')) {
      if (g.workgroupX >= g.workgroupY) genes.workgroupX = g.workgroupX / 2;
      else genes.workgroupY = g.workgroupY / 2;
    }
    genes.unroll = largest(UNROLL, Math.min(g.unroll, Math.floor(MAX_UNROLLED_FMAS / (g.tm * g.tn * spec.stepWeight))));
    return check(g) === null ? g : null;
  }

  function draw(rng: Rng): G {
    const choices = Object.fromEntries(choiceGenes.map(([gene, { values }]) => [gene, rng.pick(values)]));
    const tile = { workgroupX: rng.pick(WORKGROUP), workgroupY: rng.pick(WORKGROUP), tm: rng.pick(REGISTER_TILE), tn: rng.pick(REGISTER_TILE), unroll: rng.pick(UNROLL) };
    return { ...spec.fixed, ...tile, ...choices } as G;
  }

  function sample(rng: Rng): G {
    // Repair fails only for draws whose workgroup shrinks below MIN_THREADS on a tiny problem: draw again.
    for (let attempt = 0; attempt < 100; attempt++) {
      const g = repair(draw(rng));
      if (g) return g;
    }
    const g = repair({ ...draw(rng), workgroupX: 4, workgroupY: 1, tm: 1, tn: 1 });
    if (!g) throw new KevoError('FAILURE', `${spec.name}: no genome fits a ${m}x${n} output`);
    return g;
  }

  const step = (values: readonly number[], current: number, rng: Rng) => {
    const at = values.reduce((best, v, i) => (Math.abs(v - current) < Math.abs(values[best]! - current) ? i : best), 0);
    const neighbours = [values[at - 1], values[at + 1]].filter((v): v is number => v !== undefined);
    return neighbours.length > 0 ? rng.pick(neighbours) : values[at]!;
  };
  const numeric: [keyof DirectTile, readonly number[]][] = [
    ['workgroupX', WORKGROUP],
    ['workgroupY', WORKGROUP],
    ['tm', REGISTER_TILE],
    ['tn', REGISTER_TILE],
    ['unroll', UNROLL],
  ];
  const mutations: ((g: G, rng: Rng) => G)[] = [
    ...numeric.map(([gene, grid]) => (g: G, rng: Rng) => ({ ...g, [gene]: step(grid, g[gene], rng) })),
    ...choiceGenes.map(([gene, { values }]) => (g: G, rng: Rng) => ({ ...g, [gene]: rng.pick(values) })),
  ];

  function mutate(genome: G, rng: Rng): G {
    const changes = rng.chance(0.3) ? 2 : 1;
    let g = genome;
    for (let i = 0; i < changes; i++) g = repair(rng.pick(mutations)(g, rng)) ?? g;
    return g;
  }

  function crossover(a: G, b: G, rng: Rng): G {
    // The workgroup shape and the register tile travel as units: each only means something whole.
    const pick = () => (rng.chance(0.5) ? a : b);
    const workgroup = pick();
    const tile = pick();
    const choices = Object.fromEntries(choiceGenes.map(([gene]) => [gene, pick()[gene]]));
    const child = { ...a, workgroupX: workgroup.workgroupX, workgroupY: workgroup.workgroupY, tm: tile.tm, tn: tile.tn, unroll: pick().unroll, ...choices };
    return repair(child) ?? a;
  }

  function descriptor(g: G): readonly string[] {
    const outputs = g.workgroupX * g.workgroupY * g.tm * g.tn * 4;
    return [...spec.descriptor(g), `tile:${outputs <= 256 ? 'small' : outputs <= 2048 ? 'medium' : 'large'}`];
  }

  const seeds = () => spec.seeds.map(repair).filter((g): g is G => g !== null);
  return { name: spec.name, schema: spec.schema, sample, mutate, crossover, check, repair, seeds, descriptor };
}
