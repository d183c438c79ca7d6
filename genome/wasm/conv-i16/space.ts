import { KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
import { tileLimits } from '../conv/space.ts';
import { planOf } from '../conv/plan.ts';
import { V128_REGISTERS } from '../space.ts';
import { instructionProblem } from './codegen.ts';
import { convI16WasmGenome, type ConvI16WasmGenome } from './genome.ts';
import { LANES } from './layout.ts';

const TILES = [1, 2, 3, 4, 5, 6, 7, 8];
const VECTORS = [1, 2, 3, 4];
const UNROLLS = [1, 2, 4] as const;
type Genes = Omit<ConvI16WasmGenome, 'op' | 'backend' | 'family'>;

/** v128 values live in a step: two accumulators a row and vector, the vectors' operand loads (two each for dot16's pairs), the broadcast. */
export const liveI16 = (g: Pick<Genes, 'tile' | 'vectors' | 'instruction'>) => 2 * g.tile * g.vectors + (g.instruction === 'dot16' ? 2 : 1) * g.vectors + 1;

/** The kernel every i16 candidate is timed against: one row by one vector of 8 channels, extmul (legal for every op), no unrolling. */
export const i16BaselineGenes: Genes = { instruction: 'extmul', tile: 1, vectors: 1, unroll: 1 };

/**
 * The genes of one i16 convolution on WASM SIMD: the tile as the f32
 * family's (no more rows than the axis, vectors than the channels fill, and
 * within V8's register budget), unrolling, and dot16 where the op has a
 * reduction to pair (dense ops). Seeds: a tall and a wide tile per
 * instruction.
 */
export function wasmConvI16Space(problem: ConvProblem): SearchSpace<ConvI16WasmGenome> {
  const schema = convI16WasmGenome(problem.op);
  const limits = tileLimits(problem);
  const maxVectors = Math.ceil(planOf(problem).out / LANES);
  const instructions = (['dot16', 'extmul'] as const).filter((instruction) => instructionProblem({ ...i16BaselineGenes, op: problem.op, backend: 'wasm', family: 'int16', instruction }, problem) === null);
  const tiles = TILES.flatMap((tile) => VECTORS.map((vectors) => ({ tile, vectors }))).filter(({ tile, vectors }) => tile <= limits.rows && vectors <= maxVectors);
  const genome = (genes: Genes): ConvI16WasmGenome => ({ op: problem.op, backend: 'wasm', family: 'int16', ...genes });

  function check(g: ConvI16WasmGenome): string | null {
    if (!schema.safeParse(g).success) return `not a ${problem.op}/wasm int16 genome`;
    const why = instructionProblem(g, problem);
    if (why) return why;
    if (g.tile > limits.rows) return `tile ${g.tile} is more rows than the ${limits.rows} the problem has`;
    if (g.vectors > maxVectors) return `vectors ${g.vectors} is more than the ${maxVectors} the channels fill (8 a vector)`;
    if (liveI16(g) > V128_REGISTERS) return `a ${g.tile}x${g.vectors} ${g.instruction} tile keeps ${liveI16(g)} v128 values live, over the ${V128_REGISTERS} registers V8 has`;
    return null;
  }

  function repair(g: ConvI16WasmGenome): ConvI16WasmGenome | null {
    const instruction = instructions.includes(g.instruction) ? g.instruction : instructions[0]!;
    let tile = Math.max(1, Math.min(g.tile, limits.rows));
    let vectors = Math.max(1, Math.min(g.vectors, maxVectors));
    while (liveI16({ tile, vectors, instruction }) > V128_REGISTERS) {
      if (tile > 1) tile--;
      else vectors--;
    }
    const fixed = genome({ instruction, tile, vectors, unroll: g.unroll });
    return check(fixed) === null ? fixed : null;
  }
  const repaired = (g: ConvI16WasmGenome) => {
    const fixed = repair(g);
    if (!fixed) throw new KevoError('FAILURE', `${problem.op}/wasm int16: could not repair ${JSON.stringify(g)}`);
    return fixed;
  };
  const fitting = (instruction: ConvI16WasmGenome['instruction']) => tiles.filter((t) => liveI16({ ...t, instruction }) <= V128_REGISTERS);
  const sample = (rng: Rng) => {
    const instruction = rng.pick(instructions);
    return genome({ instruction, ...rng.pick(fitting(instruction)), unroll: rng.pick(UNROLLS) });
  };
  const mutations: ((g: ConvI16WasmGenome, rng: Rng) => ConvI16WasmGenome)[] = [
    (g, rng) => ({ ...g, ...rng.pick(tiles) }),
    (g, rng) => ({ ...g, tile: g.tile + rng.pick([-1, 1]) }),
    (g, rng) => ({ ...g, vectors: g.vectors + rng.pick([-1, 1]) }),
    (g, rng) => ({ ...g, unroll: rng.pick(UNROLLS) }),
    (g, rng) => ({ ...g, instruction: rng.pick(instructions) }),
  ];

  return {
    name: `${problem.op}/wasm int16`,
    schema,
    sample,
    mutate: (g, rng) => repaired(rng.pick(mutations)(g, rng)),
    crossover: (a, b, rng) => {
      const tile = rng.chance(0.5) ? a : b;
      return repaired(genome({ instruction: (rng.chance(0.5) ? a : b).instruction, tile: tile.tile, vectors: tile.vectors, unroll: (rng.chance(0.5) ? a : b).unroll }));
    },
    check,
    repair,
    seeds: () =>
      instructions
        .flatMap((instruction) => [genome({ instruction, tile: 4, vectors: 1, unroll: 2 }), genome({ instruction, tile: 2, vectors: 2, unroll: 2 })])
        .map((g) => repair(g))
        .filter((g, i, all): g is ConvI16WasmGenome => g !== null && all.findIndex((o) => JSON.stringify(o) === JSON.stringify(g)) === i),
    *enumerate() {
      for (const instruction of instructions) for (const t of fitting(instruction)) for (const unroll of UNROLLS) yield genome({ instruction, ...t, unroll });
    },
    descriptor: (g) => [`i16-${g.instruction}`, `tile:${g.tile * g.vectors <= 2 ? 'small' : g.tile * g.vectors <= 4 ? 'medium' : 'large'}`],
  };
}
