import type { z } from 'zod';
import { describeZodError, KevoError } from '../../lib/errors.ts';
import type { Rng } from '../../lib/rng.ts';
import type { Target } from '../target.ts';
import type { Backend } from '../backend.ts';
import type { GeneratedGenome, Genome } from '../genome.ts';
import type { Op, Precision, Problem } from '../ops/index.ts';
import { isSourceGenome } from '../source.ts';
import type { SearchSpace } from '../space.ts';
import type { KernelCode } from './launch.ts';
import { forWeights } from './pack-each-call.ts';
import { sourceCode } from './source.ts';

/**
 * A kernel family: how one op runs on one backend. This is what a family's
 * author writes, typed by the op's problem P and the family's genome G; the
 * registry keeps it as a KernelFamily, which takes any Problem and Genome and
 * parses them with these schemas at the door.
 */
export interface FamilyDefinition<P extends Problem, G extends GeneratedGenome> {
  readonly op: Op<P>;
  readonly backend: Backend;
  /** Its genomes' `family` literal ('tiled'): (op, backend, name) is what a stored genome is parsed by. */
  readonly name: string;
  /** The problem dtype schemes (problem.dtype) its kernels compute; default ['f32']. */
  readonly dtypes?: readonly string[];
  /** Every genome of the family parses under this; its `op`, `backend` and `family` are literals. */
  readonly genome: z.ZodType<G>;
  /** The genes for one problem on one device (its capabilities are constraints). */
  space(problem: P, device: Target): SearchSpace<G>;
  /** Pure: genome -> kernel text and how to launch it. Throws for a genome it cannot honour. */
  codegen(genome: G, problem: P): KernelCode;
  /** The kernel every candidate is timed against, fixed forever so speedups stay comparable. */
  baseline(problem: P): KernelCode;
  /** The compute/accumulate precision, which picks the op's error model. */
  precision(genome: G): Precision;
  /** Why this device cannot run the genome (a feature it lacks), or null. */
  unsupported(genome: G, device: Target): string | null;
  /** A few words for tables, e.g. "4x8 tile, fma". */
  describe(genome: G): string;
  /**
   * Present on an alternative for a key another family owns (op, dtype,
   * backend): how it takes part in that problem's search (Offer). The owner
   * keeps the key: the baseline, and the ABI of source genomes. Absent: the
   * family owns its key.
   */
  offers?(problem: P): Offer;
}

/**
 * How an alternative family takes part in the search of a problem it offers
 * itself for (genome/spaces.ts): `join`, its genomes search beside the
 * owner's (Winograd beside the direct conv2d loop); `replace`, its space
 * stands in for the owner's (the precision families under a numeric
 * accuracy: their f32 genes are the owner's, under a precision gene);
 * false, it does not compute the problem, and its genomes are refused for it.
 */
export type Offer = 'join' | 'replace' | false;

/** A family as every caller outside it sees it: any problem, any genome of its (op, backend), source genomes included. */
export interface KernelFamily {
  readonly op: string;
  readonly backend: Backend;
  /** Its genomes' `family` field: with op and backend, what a stored genome is parsed by. */
  readonly name: string;
  /** The problem dtype schemes it computes: with op and backend, what a problem's search is run by. */
  readonly dtypes: readonly string[];
  readonly genome: z.ZodType<GeneratedGenome>;
  space(problem: Problem, device: Target): SearchSpace<Genome>;
  /** The kernel for a genome: codegen for a generated one, the text itself (with the ABI's launch) for a source. */
  code(genome: Genome, problem: Problem): KernelCode;
  baseline(problem: Problem): KernelCode;
  precision(genome: Genome): Precision;
  unsupported(genome: Genome, device: Target): string | null;
  describe(genome: Genome): string;
  offers?(problem: Problem): Offer;
}

/** Erases a definition's types behind parsing: the only place a Problem or Genome becomes a family's own type. */
export function defineFamily<P extends Problem, G extends GeneratedGenome>(def: FamilyDefinition<P, G>): KernelFamily {
  const name = `${def.op.name}/${def.backend}`;
  const problemOf = (p: Problem): P => def.op.problem.parse(p);
  const genomeOf = (g: Genome): G => {
    const parsed = def.genome.safeParse(g);
    if (!parsed.success) throw new KevoError('BAD_INPUT', `not a ${name} genome: ${describeZodError(parsed.error)}`);
    return parsed.data;
  };
  const generated = (code: KernelCode, problem: P) => forWeights(code, def.op.weightsFixed?.(problem) ?? false);
  return {
    op: def.op.name,
    backend: def.backend,
    name: def.name,
    dtypes: def.dtypes ?? ['f32'],
    genome: def.genome,
    space: (problem, device) => eraseSpace(def.space(problemOf(problem), device), def.genome),
    code: (genome, problem) => (isSourceGenome(genome) ? sourceCode(genome, problem) : generated(def.codegen(genomeOf(genome), problemOf(problem)), problemOf(problem))),
    baseline: (problem) => generated(def.baseline(problemOf(problem)), problemOf(problem)),
    // A source kernel's precision is unknown: it is held to f32's error model, the strictest there is.
    precision: (genome) => (isSourceGenome(genome) ? 'f32' : def.precision(genomeOf(genome))),
    unsupported: (genome, device) => (isSourceGenome(genome) ? null : def.unsupported(genomeOf(genome), device)),
    describe: (genome) => (isSourceGenome(genome) ? `${genome.backend} source (${genome.language})` : def.describe(genomeOf(genome))),
    ...(def.offers ? { offers: (problem: Problem) => def.offers!(problemOf(problem)) } : {}),
  };
}

/** A space over its own genomes, seen as a space over any: a genome that is not the family's fails check and does not repair. */
function eraseSpace<G extends GeneratedGenome>(space: SearchSpace<G>, schema: z.ZodType<G>): SearchSpace<Genome> {
  const own = (g: Genome): G | string => {
    const parsed = schema.safeParse(g);
    return parsed.success ? parsed.data : describeZodError(parsed.error);
  };
  const must = (g: Genome): G => {
    const parsed = own(g);
    if (typeof parsed === 'string') throw new KevoError('BAD_INPUT', `${space.name}: ${parsed}`);
    return parsed;
  };
  return {
    name: space.name,
    schema,
    sample: (rng: Rng) => space.sample(rng),
    mutate: (g, rng) => space.mutate(must(g), rng),
    crossover: (a, b, rng) => space.crossover(must(a), must(b), rng),
    check: (g) => {
      const parsed = own(g);
      return typeof parsed === 'string' ? parsed : space.check(parsed);
    },
    repair: (g) => {
      const parsed = own(g);
      return typeof parsed === 'string' ? null : space.repair(parsed);
    },
    ...(space.seeds ? { seeds: () => space.seeds!() } : {}),
    ...(space.enumerate ? { enumerate: () => space.enumerate!() } : {}),
    descriptor: (g) => space.descriptor(must(g)),
  };
}

