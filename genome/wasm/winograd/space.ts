import { KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { ConvProblem } from '../../ops/conv/problem.ts';
import type { SearchSpace } from '../../space.ts';
import { liveVectors, V128_REGISTERS, type WasmCaps } from '../space.ts';
import { fitTile } from '../conv/space.ts';
import { winogradWasmGenome, type WinogradWasmGenome } from './genome.ts';
import { winogradLayout } from './layout.ts';

const TILES = [1, 2, 3, 4, 5, 6, 7, 8];
const VECTORS = [1, 2, 3, 4];
const UNROLLS = [1, 2, 4] as const;

/** A person's first choices: 4 tiles x 2 vectors and 2 x 4 (8 accumulators), as the direct family's seeds. */
const STARTS = [
  { tile: 4, vectors: 2, unroll: 1 },
  { tile: 2, vectors: 4, unroll: 1 },
] as const;

/**
 * The genes of a Winograd conv2d on a WASM SIMD runtime: no more tiles a
 * group than a tile row has, no more vectors than K fills, within V8's
 * register budget (genome/wasm/space.ts).
 */
export function winogradSpace(problem: ConvProblem, caps: WasmCaps): SearchSpace<WinogradWasmGenome> {
  const layout = winogradLayout(problem, 1);
  const limits = { tiles: layout.tilesAcross, vectors: layout.k4 / 4 };
  const fmas = caps.relaxedSimd ? [false, true] : [false];
  const tiles = TILES.flatMap((tile) => VECTORS.map((vectors) => ({ tile, vectors }))).filter(
    ({ tile, vectors }) => tile <= limits.tiles && vectors <= limits.vectors && liveVectors(tile, 4 * vectors) <= V128_REGISTERS,
  );
  const genome = (genes: Omit<WinogradWasmGenome, 'op' | 'backend' | 'family'>): WinogradWasmGenome => ({ op: 'conv2d', backend: 'wasm', family: 'winograd', ...genes });

  function check(g: WinogradWasmGenome): string | null {
    if (!winogradWasmGenome.safeParse(g).success) return 'not a conv2d/wasm winograd genome';
    if (g.fma && !caps.relaxedSimd) return 'fma needs relaxed SIMD, which this runtime lacks';
    if (g.tile > limits.tiles) return `tile ${g.tile} is more output tiles than the ${limits.tiles} a tile row has`;
    if (g.vectors > limits.vectors) return `vectors ${g.vectors} is more than the ${limits.vectors} K fills`;
    const live = liveVectors(g.tile, 4 * g.vectors);
    if (live > V128_REGISTERS) return `a ${g.tile}x${g.vectors} tile keeps ${live} v128 values live, over the ${V128_REGISTERS} registers V8 has`;
    return null;
  }

  function repair(g: WinogradWasmGenome): WinogradWasmGenome | null {
    const { tile, vectors } = fitTile(g, { rows: limits.tiles, vectors: limits.vectors });
    const fixed = genome({ tile, vectors, unroll: g.unroll, fma: g.fma && caps.relaxedSimd });
    return check(fixed) === null ? fixed : null;
  }

  const repaired = (g: WinogradWasmGenome) => {
    const fixed = repair(g);
    if (!fixed) throw new KevoError('FAILURE', `conv2d/wasm winograd: could not repair ${JSON.stringify(g)}`);
    return fixed;
  };

  const mutations: ((g: WinogradWasmGenome, rng: Rng) => WinogradWasmGenome)[] = [
    (g, rng) => ({ ...g, ...rng.pick(tiles) }),
    (g, rng) => ({ ...g, tile: g.tile + rng.pick([-1, 1]) }),
    (g, rng) => ({ ...g, vectors: g.vectors + rng.pick([-1, 1]) }),
    (g, rng) => ({ ...g, unroll: rng.pick(UNROLLS) }),
    (g) => ({ ...g, fma: !g.fma }),
  ];

  return {
    name: 'conv2d/wasm winograd',
    schema: winogradWasmGenome,
    sample: (rng) => genome({ ...rng.pick(tiles), unroll: rng.pick(UNROLLS), fma: rng.pick(fmas) }),
    mutate: (g, rng) => repaired(rng.pick(mutations)(g, rng)),
    crossover: (a, b, rng) => {
      const tile = rng.chance(0.5) ? a : b;
      const from = () => (rng.chance(0.5) ? a : b);
      return repaired(genome({ tile: tile.tile, vectors: tile.vectors, unroll: from().unroll, fma: from().fma }));
    },
    check,
    repair,
    seeds: () =>
      STARTS.flatMap((s) => (caps.relaxedSimd ? [{ ...s, fma: true }, { ...s, fma: false }] : [{ ...s, fma: false }]))
        .map((s) => repair(genome(s)))
        .filter((g): g is WinogradWasmGenome => g !== null),
    enumerate: function* () {
      for (const t of tiles) for (const unroll of UNROLLS) for (const fma of fmas) yield genome({ ...t, unroll, fma });
    },
    descriptor: (g) => {
      const accumulators = g.tile * g.vectors;
      return ['f32-winograd', `tile:${accumulators <= 2 ? 'small' : accumulators <= 6 ? 'medium' : 'large'}`];
    },
  };
}
