import { KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
import { liveVectors, V128_REGISTERS, type WasmCaps } from '../space.ts';
import { convDirectGenome, type ConvDirectGenome } from './genome.ts';
import { planOf, type Kind } from './plan.ts';

const TILES = [1, 2, 3, 4, 5, 6, 7, 8];
const VECTORS = [1, 2, 3, 4];
const UNROLLS = [1, 2, 4] as const;
const ORDERS = ['pixels', 'channels'] as const;

/**
 * A person's first choices per loop nest: 4 rows x 2 vectors (8
 * accumulators, 14 v128 live at most) and the wide 2 x 4, as matmul's 4x8
 * and 2x16 seeds; a depthwise-weights tile is taps along the window's width,
 * so 3 (a 3-wide window whole).
 */
const STARTS: Record<Kind, readonly Pick<ConvDirectGenome, 'tile' | 'vectors' | 'unroll' | 'order'>[]> = {
  dense: [
    { tile: 4, vectors: 2, unroll: 1, order: 'pixels' },
    { tile: 2, vectors: 4, unroll: 1, order: 'pixels' },
  ],
  depthwise: [
    { tile: 4, vectors: 2, unroll: 1, order: 'pixels' },
    { tile: 2, vectors: 4, unroll: 1, order: 'pixels' },
  ],
  'dense-weights': [
    { tile: 4, vectors: 2, unroll: 2, order: 'pixels' },
    { tile: 2, vectors: 4, unroll: 2, order: 'pixels' },
  ],
  'depthwise-weights': [
    { tile: 3, vectors: 2, unroll: 2, order: 'pixels' },
    { tile: 1, vectors: 4, unroll: 2, order: 'pixels' },
  ],
};

/** The axis a tile's rows run along, and the vectorized channel's length, for a problem. */
export function tileLimits(problem: ConvProblem): { rows: number; vectors: number; kind: Kind } {
  const plan = planOf(problem);
  const rows = plan.kind === 'dense-weights' ? plan.g.c : plan.kind === 'depthwise-weights' ? plan.g.s : plan.ow;
  return { rows, vectors: Math.ceil(plan.out / 4), kind: plan.kind };
}

/**
 * A register tile of `tile` rows x `vectors` f32x4 clipped to the problem's
 * limits, then shrunk, rows first, until V8's registers hold it.
 */
export function fitTile(g: { readonly tile: number; readonly vectors: number }, limits: { readonly rows: number; readonly vectors: number }): { tile: number; vectors: number } {
  // The schema's ceilings too: a mutation's step past them (vectors 5 on a wide K) must come back.
  let tile = Math.max(1, Math.min(g.tile, limits.rows, TILES.at(-1)!));
  let vectors = Math.max(1, Math.min(g.vectors, limits.vectors, VECTORS.at(-1)!));
  while (liveVectors(tile, 4 * vectors) > V128_REGISTERS) {
    if (tile > 1) tile--;
    else vectors--;
  }
  return { tile, vectors };
}

/** The kernel every candidate is timed against: one row by one vector, no unrolling, mul + add (genome/families/conv-wasm.ts). */
export const baselineGenes = { tile: 1, vectors: 1, unroll: 1, order: 'pixels', fma: false } as const;

/**
 * The direct algorithm's genes for one convolution problem on a WASM SIMD runtime. A tile no
 * larger than the problem needs (more rows than the axis, more vectors than
 * the channels, is the same kernel as one that fits), the register budget
 * of genome/wasm/space.ts, and unrolling only where a loop has steps to
 * unroll (the depthwise forward and bwd-data tiles are straight-line over
 * the window's width).
 */
export function wasmDirectSpace(problem: ConvProblem, caps: WasmCaps): SearchSpace<ConvDirectGenome> {
  const schema = convDirectGenome(problem.op);
  const limits = tileLimits(problem);
  const unrolls = limits.kind === 'depthwise' ? [1 as const] : UNROLLS;
  const fmas = caps.relaxedSimd ? [false, true] : [false];
  const tiles = TILES.flatMap((tile) => VECTORS.map((vectors) => ({ tile, vectors }))).filter(
    ({ tile, vectors }) => tile <= limits.rows && vectors <= limits.vectors && liveVectors(tile, 4 * vectors) <= V128_REGISTERS,
  );
  const genome = (genes: Omit<ConvDirectGenome, 'op' | 'backend' | 'family'>): ConvDirectGenome => ({ op: problem.op, backend: 'wasm', family: 'direct', ...genes });

  function check(g: ConvDirectGenome): string | null {
    const parsed = schema.safeParse(g);
    if (!parsed.success) return `not a ${problem.op}/wasm genome`;
    if (g.fma && !caps.relaxedSimd) return 'fma needs relaxed SIMD, which this runtime lacks';
    if (g.tile > limits.rows) return `tile ${g.tile} is more rows than the ${limits.rows} the problem has`;
    if (g.vectors > limits.vectors) return `vectors ${g.vectors} is more than the ${limits.vectors} the channels fill`;
    const live = liveVectors(g.tile, 4 * g.vectors);
    if (live > V128_REGISTERS) return `a ${g.tile}x${g.vectors} tile keeps ${live} v128 values live, over the ${V128_REGISTERS} registers V8 has`;
    if (!(unrolls as readonly number[]).includes(g.unroll)) return `unroll ${g.unroll}: this loop nest has no loop to unroll`;
    return null;
  }

  function repair(g: ConvDirectGenome): ConvDirectGenome | null {
    const { tile, vectors } = fitTile(g, limits);
    const fixed = genome({ tile, vectors, unroll: (unrolls as readonly number[]).includes(g.unroll) ? g.unroll : 1, order: g.order, fma: g.fma && caps.relaxedSimd });
    return check(fixed) === null ? fixed : null;
  }

  const repaired = (g: ConvDirectGenome) => {
    const fixed = repair(g);
    if (!fixed) throw new KevoError('FAILURE', `${problem.op}/wasm: could not repair ${JSON.stringify(g)}`);
    return fixed;
  };

  const sample = (rng: Rng) => genome({ ...rng.pick(tiles), unroll: rng.pick(unrolls), order: rng.pick(ORDERS), fma: rng.pick(fmas) });

  const mutations: ((g: ConvDirectGenome, rng: Rng) => ConvDirectGenome)[] = [
    (g, rng) => ({ ...g, ...rng.pick(tiles) }),
    (g, rng) => ({ ...g, tile: g.tile + rng.pick([-1, 1]) }),
    (g, rng) => ({ ...g, vectors: g.vectors + rng.pick([-1, 1]) }),
    (g, rng) => ({ ...g, unroll: rng.pick(unrolls) }),
    (g) => ({ ...g, order: g.order === 'pixels' ? 'channels' : 'pixels' }),
    (g) => ({ ...g, fma: !g.fma }),
  ];

  function* enumerate(): Iterable<ConvDirectGenome> {
    for (const t of tiles) for (const unroll of unrolls) for (const order of ORDERS) for (const fma of fmas) yield genome({ ...t, unroll, order, fma });
  }

  return {
    name: `${problem.op}/wasm`,
    schema,
    sample,
    mutate: (g, rng) => repaired(rng.pick(mutations)(g, rng)),
    // The tile travels whole: rows and vectors only mean something together (the register budget).
    crossover: (a, b, rng) => {
      const tile = rng.chance(0.5) ? a : b;
      const from = () => (rng.chance(0.5) ? a : b);
      return repaired(genome({ tile: tile.tile, vectors: tile.vectors, unroll: from().unroll, order: from().order, fma: from().fma }));
    },
    check,
    repair,
    seeds: () =>
      STARTS[limits.kind]
        .flatMap((s) => (caps.relaxedSimd ? [{ ...s, fma: true }, { ...s, fma: false }] : [{ ...s, fma: false }]))
        .map((s) => repair(genome(s)))
        .filter((g): g is ConvDirectGenome => g !== null),
    enumerate,
    descriptor: (g) => {
      const accumulators = g.tile * g.vectors;
      return [g.fma ? 'f32-fma' : 'f32', `tile:${accumulators <= 2 ? 'small' : accumulators <= 6 ? 'medium' : 'large'}`, `order:${g.order}`];
    },
  };
}
