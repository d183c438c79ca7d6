import { describeZodError, KevoError } from '../../lib/errors.ts';
import type { Rng } from '../../lib/rng.ts';
import type { MatmulProblem } from '../ops/matmul-problem.ts';
import type { SearchSpace } from '../space.ts';
import { LoopOrder, MatmulWasmGenome } from './genome.ts';
import { roundUp } from './tiling.ts';

/**
 * v128 values V8 keeps in registers on x64 (xmm0-14; xmm15 is its scratch).
 * TurboFan keeps a k step's loads in program order but sinks the arithmetic
 * below them, so every B vector *and every A broadcast* of the step is live
 * at once beside the accumulators: mr*(nr/4) + nr/4 + mr. Measured on Zen 4,
 * V8 11.3: 4x8 (14 live) runs at ~88% of the FMA ceiling, 6x8 and 4x12
 * (20, 19 live) spill inside the k loop and run at half that. With A
 * shuffled out of v128 loads (aBroadcast shuffle) a group of four rows keeps
 * one load live instead of four broadcasts, which lets 5x8 and 8x4 fit.
 */
export const V128_REGISTERS = 15;

export interface WasmCaps {
  /** f32x4.relaxed_madd validates here (worker/wasm/features.ts enableRelaxedSimd). */
  readonly relaxedSimd: boolean;
}

/**
 * What the kernel around the f32 one can do: `packBAtLoad`, run a load-time
 * step (the family's launch carries matmulWat's prepare entry, or the caller
 * writes the panels itself), so packB 'load' is offered. Absent: packB is
 * per call or none, as before the value existed.
 */
export interface WasmSpaceOptions {
  readonly packBAtLoad?: boolean;
}

type PackB = MatmulWasmGenome['packB'];

const MR = [1, 2, 3, 4, 5, 6, 7, 8];
const NR = [4, 8, 12, 16];
const K_UNROLL = [1, 2, 4];
const LOOP_ORDERS = LoopOrder.options;
type EpilogueMode = NonNullable<MatmulWasmGenome['epilogue']>;
/** Schema ceilings of the block genes. */
const MAX = { mc: 4096, kc: 4096, nc: 8192 } as const;

type ABroadcast = NonNullable<MatmulWasmGenome['aBroadcast']>;

/**
 * v128 values live in a k step: accumulators, B vectors, and A (a broadcast
 * per row; a load per four rows and a broadcast per other row; or, k-shuffle,
 * each row's load of four k, live across the group's four steps).
 */
export const liveVectors = (mr: number, nr: number, aBroadcast: ABroadcast = 'splat') =>
  mr * (nr / 4) + nr / 4 + (aBroadcast === 'shuffle' ? Math.floor(mr / 4) + (mr % 4) : mr);

/** The broadcast a genome really uses: shuffle only means something with A packed (k-shuffle reads a row's four k packed or not). */
const broadcastOf = (g: MatmulWasmGenome): ABroadcast => (g.aBroadcast === 'k-shuffle' ? 'k-shuffle' : g.aBroadcast === 'shuffle' && g.packA ? 'shuffle' : 'splat');

/** k-shuffle steps k four at a time itself: no unroll, offsets and a counted loop (the genes that shape an unrolled loop). */
function withKShuffle(g: MatmulWasmGenome): MatmulWasmGenome {
  const { addressing: _addressing, kLoop: _kLoop, ...rest } = g;
  return { ...rest, aBroadcast: 'k-shuffle', kUnroll: 1 };
}

/**
 * The genome with its aBroadcast gene in canonical form: absent for splat, so
 * genomes from before the gene (and their hashes) stay what they were.
 */
function withBroadcast(g: MatmulWasmGenome, aBroadcast: ABroadcast): MatmulWasmGenome {
  const { aBroadcast: _aBroadcast, ...rest } = g;
  return aBroadcast === 'splat' ? rest : { ...rest, aBroadcast };
}

type Addressing = NonNullable<MatmulWasmGenome['addressing']>;

/** The addressing a genome really uses: bumping per step only differs from offsets in an unrolled k loop. */
const addressingOf = (g: MatmulWasmGenome): Addressing => (g.addressing === 'bump' && g.kUnroll > 1 ? 'bump' : 'offset');

/** The genome with its addressing gene in canonical form: absent for offset, as genomes were before the gene. */
function withAddressing(g: MatmulWasmGenome, addressing: Addressing): MatmulWasmGenome {
  const { addressing: _addressing, ...rest } = g;
  return addressing === 'bump' ? { ...rest, addressing } : rest;
}

type ALoad = NonNullable<MatmulWasmGenome['aLoad']>;

/** The genome with its aLoad gene in canonical form: absent for on-the-fly, as genomes were before the gene. */
function withALoad(g: MatmulWasmGenome, aLoad: ALoad): MatmulWasmGenome {
  const { aLoad: _aLoad, ...rest } = g;
  return aLoad === 'preload' ? { ...rest, aLoad } : rest;
}

type KLoop = NonNullable<MatmulWasmGenome['kLoop']>;

/** The genome with its kLoop gene in canonical form: absent for count, as genomes were before the gene. */
function withKLoop(g: MatmulWasmGenome, kLoop: KLoop): MatmulWasmGenome {
  const { kLoop: _kLoop, ...rest } = g;
  return kLoop === 'end' ? { ...rest, kLoop } : rest;
}

const floorTo = (a: number, b: number) => Math.floor(a / b) * b;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * The matmul genes for one problem on a WASM SIMD runtime. Values live on
 * discrete grids so the space can be enumerated: block sizes are powers of
 * two times the tile (or the whole dimension), never much past the problem,
 * since a block larger than its dimension is the same kernel as one that fits.
 */
export function wasmMatmulSpace(problem: MatmulProblem, caps: WasmCaps, options: WasmSpaceOptions = {}): SearchSpace<MatmulWasmGenome> {
  const { m, n, k } = problem.shape;
  const packBs: readonly PackB[] = options.packBAtLoad ? [false, true, 'load'] : [false, true];
  const limits = {
    mr: Math.min(8, m),
    nr: Math.min(16, roundUp(n, 4)),
    mc: (mr: number) => Math.min(roundUp(m, mr), floorTo(MAX.mc, mr)),
    kc: Math.min(k, MAX.kc),
    nc: (nr: number) => Math.min(roundUp(n, nr), floorTo(MAX.nc, nr)),
  };
  /** Every tile that fits the registers with some A broadcast (shuffle never needs more than splat). */
  const tiles = MR.flatMap((mr) => NR.map((nr) => ({ mr, nr }))).filter(
    ({ mr, nr }) => mr <= limits.mr && nr <= limits.nr && liveVectors(mr, nr, 'shuffle') <= V128_REGISTERS,
  );
  const fits = (mr: number, nr: number, aBroadcast: ABroadcast) => liveVectors(mr, nr, aBroadcast) <= V128_REGISTERS;
  const powersBelow = (unit: number, cap: number, from: number) => {
    const values: number[] = [];
    for (let v = unit * from; v < cap; v *= 2) values.push(v);
    return [...values, cap];
  };
  // The epilogue gene exists only for a problem with an epilogue, so plain genomes (and their hashes) stay as they were.
  // Seeds take the first: the tile epilogue measured fastest (bench/fusion.ts).
  const epilogues: readonly EpilogueMode[] = problem.epilogue ? ['tile', 'fused', 'pass'] : [];
  const withEpilogue = (g: MatmulWasmGenome, mode: EpilogueMode | undefined): MatmulWasmGenome => {
    const { epilogue: _epilogue, ...rest } = g;
    return epilogues.length && mode ? { ...rest, epilogue: mode } : rest;
  };
  const grids = {
    mc: (mr: number) => powersBelow(mr, limits.mc(mr), 4),
    kc: () => powersBelow(1, limits.kc, 32),
    nc: (nr: number) => powersBelow(nr, limits.nc(nr), 4),
    kUnroll: (kc: number) => K_UNROLL.filter((u) => u <= kc),
    fma: caps.relaxedSimd ? [false, true] : [false],
  };

  function check(genome: MatmulWasmGenome): string | null {
    const parsed = MatmulWasmGenome.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    if (g.fma && !caps.relaxedSimd) return 'fma needs relaxed SIMD, which this runtime lacks';
    if (!packBs.includes(g.packB)) return 'packB load needs a kernel that runs a load-time step, and this one packs per call';
    if (problem.epilogue && !g.epilogue) return 'the problem has an epilogue: say how it runs (epilogue fused or pass)';
    if (!problem.epilogue && g.epilogue) return 'the problem has no epilogue to fuse';
    if (g.aBroadcast === 'shuffle' && !g.packA) return 'aBroadcast shuffle needs packA: it loads four rows of A at once';
    if (g.addressing === 'bump' && g.kUnroll === 1) return 'addressing bump needs kUnroll above 1: with one step per iteration it is the offset kernel';
    if (g.aBroadcast === 'k-shuffle' && (g.kUnroll !== 1 || g.addressing || g.kLoop)) return 'aBroadcast k-shuffle steps k four at a time itself: kUnroll 1, offset addressing, counted k loop';
    const live = liveVectors(g.mr, g.nr, broadcastOf(g));
    if (live > V128_REGISTERS) {
      return `a ${g.mr}x${g.nr} tile with A ${broadcastOf(g)} keeps ${live} v128 values live (accumulators, B vectors, A), over the ${V128_REGISTERS} registers V8 has`;
    }
    if (g.mr > limits.mr) return `mr ${g.mr} is more rows than M ${m}`;
    if (g.nr > limits.nr) return `nr ${g.nr} is more columns than N ${n} needs`;
    if (g.mc % g.mr !== 0 || g.mc > limits.mc(g.mr)) return `mc ${g.mc} must be a multiple of mr ${g.mr} up to ${limits.mc(g.mr)}`;
    if (g.kc > limits.kc) return `kc ${g.kc} is more than K ${k}`;
    if (g.kUnroll > g.kc) return `kUnroll ${g.kUnroll} is more than kc ${g.kc}`;
    if (g.nc % g.nr !== 0 || g.nc > limits.nc(g.nr)) return `nc ${g.nc} must be a multiple of nr ${g.nr} up to ${limits.nc(g.nr)}`;
    return null;
  }

  function repair(genome: MatmulWasmGenome): MatmulWasmGenome | null {
    let mr = clamp(genome.mr, 1, limits.mr);
    let nr = clamp(floorTo(genome.nr, 4), 4, limits.nr);
    const aBroadcast = broadcastOf(genome);
    while (!fits(mr, nr, aBroadcast)) {
      if (mr > 1) mr--;
      else nr -= 4;
    }
    const kc = clamp(genome.kc, 1, limits.kc);
    const repaired: MatmulWasmGenome = {
      ...genome,
      mr,
      nr,
      mc: clamp(roundUp(genome.mc, mr), mr, limits.mc(mr)),
      kc,
      kUnroll: clamp(genome.kUnroll, 1, kc),
      nc: clamp(roundUp(genome.nc, nr), nr, limits.nc(nr)),
      fma: genome.fma && caps.relaxedSimd,
      packB: packBs.includes(genome.packB) ? genome.packB : true,
    };
    const scheduled = withKLoop(withALoad(withAddressing(withBroadcast(withEpilogue(repaired, genome.epilogue ?? epilogues[0]), aBroadcast), addressingOf(repaired)), genome.aLoad ?? 'on-the-fly'), genome.kLoop ?? 'count');
    const fitted = aBroadcast === 'k-shuffle' ? withKShuffle(scheduled) : scheduled;
    return check(fitted) === null ? fitted : null;
  }

  /** Always a valid genome: repair only fails on input that could not come from this space. */
  const repaired = (genome: MatmulWasmGenome) => {
    const g = repair(genome);
    if (!g) throw new KevoError('FAILURE', `matmul/wasm: could not repair ${JSON.stringify(genome)}`);
    return g;
  };

  function sample(rng: Rng): MatmulWasmGenome {
    const { mr, nr } = rng.pick(tiles);
    const kc = rng.pick(grids.kc());
    // a tile that only fits with A shuffled must pack A and shuffle; one that fits either way tosses for both
    const needsShuffle = !fits(mr, nr, 'splat');
    const packA = needsShuffle || rng.chance(0.5);
    const aBroadcast: ABroadcast = needsShuffle || (packA && rng.chance(0.5)) ? 'shuffle' : 'splat';
    const g = withBroadcast({
      op: 'matmul',
      backend: 'wasm',
      family: 'tiled',
      mr,
      nr,
      kUnroll: rng.pick(grids.kUnroll(kc)),
      mc: rng.pick(grids.mc(mr)),
      kc,
      nc: rng.pick(grids.nc(nr)),
      packA,
      packB: rng.chance(0.5),
      loopOrder: rng.pick(LOOP_ORDERS),
      fma: rng.pick(grids.fma),
      ...(epilogues.length ? { epilogue: rng.pick(epilogues) } : {}),
    }, aBroadcast);
    // drawn last, addressing only for an unrolled loop, so the genes drawn before them are what they were before these genes
    const addressed = g.kUnroll > 1 && rng.chance(0.5) ? withAddressing(g, 'bump') : g;
    const loaded = rng.chance(0.5) ? withALoad(addressed, 'preload') : addressed;
    const looped = rng.chance(0.5) ? withKLoop(loaded, 'end') : loaded;
    const shuffled = fits(mr, nr, 'k-shuffle') && rng.chance(0.25) ? withKShuffle(looped) : looped;
    // drawn after every other gene, so spaces without it draw what they drew before
    return options.packBAtLoad && shuffled.packB && rng.chance(0.5) ? { ...shuffled, packB: 'load' } : shuffled;
  }

  /** One step along a grid, to a neighbouring value, so mutation explores locally. */
  const step = (values: readonly number[], current: number, rng: Rng) => {
    const at = values.reduce((best, v, i) => (Math.abs(v - current) < Math.abs(values[best]! - current) ? i : best), 0);
    const neighbours = [values[at - 1], values[at + 1]].filter((v): v is number => v !== undefined);
    return neighbours.length > 0 ? rng.pick(neighbours) : values[at]!;
  };

  const mutations: ((g: MatmulWasmGenome, rng: Rng) => MatmulWasmGenome)[] = [
    (g, rng) => {
      // a tile that only fits with A shuffled brings that with it, rather than being shrunk back by repair
      const tile = rng.pick(tiles);
      return fits(tile.mr, tile.nr, broadcastOf(g)) ? { ...g, ...tile } : { ...g, ...tile, packA: true, aBroadcast: 'shuffle' };
    },
    (g, rng) => ({ ...g, kUnroll: step(grids.kUnroll(g.kc), g.kUnroll, rng) }),
    (g, rng) => ({ ...g, mc: step(grids.mc(g.mr), g.mc, rng) }),
    (g, rng) => ({ ...g, kc: step(grids.kc(), g.kc, rng) }),
    (g, rng) => ({ ...g, nc: step(grids.nc(g.nr), g.nc, rng) }),
    (g) => ({ ...g, packA: !g.packA }),
    (g, rng) => ({ ...g, packB: options.packBAtLoad ? rng.pick(packBs.filter((v) => v !== g.packB)) : !g.packB }),
    (g, rng) => ({ ...g, loopOrder: rng.pick(LOOP_ORDERS.filter((o) => o !== g.loopOrder)) }),
    (g) => ({ ...g, fma: !g.fma }),
    (g) => (broadcastOf(g) === 'shuffle' ? withBroadcast(g, 'splat') : { ...g, packA: true, aBroadcast: 'shuffle' }),
    (g) => (broadcastOf(g) === 'k-shuffle' ? withBroadcast(g, 'splat') : withKShuffle(g)),
    // bumping only means something unrolled, so turning it on unrolls a loop that was not
    (g) => withALoad(g, g.aLoad === 'preload' ? 'on-the-fly' : 'preload'),
    (g) => withKLoop(g, g.kLoop === 'end' ? 'count' : 'end'),
    (g) => (addressingOf(g) === 'bump' ? withAddressing(g, 'offset') : { ...g, addressing: 'bump', kUnroll: Math.max(2, g.kUnroll) }),
    ...(epilogues.length ? [(g: MatmulWasmGenome, rng: Rng) => ({ ...g, epilogue: rng.pick(epilogues.filter((e) => e !== g.epilogue)) })] : []),
  ];

  function mutate(genome: MatmulWasmGenome, rng: Rng): MatmulWasmGenome {
    const changes = rng.chance(0.3) ? 2 : 1;
    let g = genome;
    for (let i = 0; i < changes; i++) g = repaired(rng.pick(mutations)(g, rng));
    return g;
  }

  function crossover(a: MatmulWasmGenome, b: MatmulWasmGenome, rng: Rng): MatmulWasmGenome {
    // The tile travels as one gene: mr and nr only mean something together (the register budget), and with the A broadcast that budget counts.
    const tile = rng.chance(0.5) ? a : b;
    const from = () => (rng.chance(0.5) ? a : b);
    return repaired({
      op: 'matmul',
      backend: 'wasm',
      family: 'tiled',
      mr: tile.mr,
      nr: tile.nr,
      kUnroll: from().kUnroll,
      mc: from().mc,
      kc: from().kc,
      nc: from().nc,
      packA: from().packA,
      packB: from().packB,
      loopOrder: from().loopOrder,
      fma: from().fma,
      ...(epilogues.length ? { epilogue: from().epilogue } : {}),
      ...(broadcastOf(tile) !== 'splat' ? { aBroadcast: broadcastOf(tile) } : {}),
      ...(from().addressing === 'bump' ? { addressing: 'bump' as const } : {}),
      ...(from().aLoad === 'preload' ? { aLoad: 'preload' as const } : {}),
      ...(from().kLoop === 'end' ? { kLoop: 'end' as const } : {}),
    });
  }

  function* enumerate(): Iterable<MatmulWasmGenome> {
    /** k-shuffle takes a plain k loop: kUnroll 1, offsets, counted (check says why). */
    const schedules = (kUnroll: number, aBroadcast: ABroadcast) =>
      aBroadcast === 'k-shuffle'
        ? kUnroll === 1 ? [{ addressing: 'offset' as const, kLoop: 'count' as const }] : []
        : (kUnroll > 1 ? (['offset', 'bump'] as const) : (['offset'] as const)).flatMap((addressing) => (['count', 'end'] as const).map((kLoop) => ({ addressing, kLoop })));
    for (const { mr, nr } of tiles)
      for (const kc of grids.kc())
        for (const kUnroll of grids.kUnroll(kc))
          for (const aLoad of ['on-the-fly', 'preload'] as const)
          for (const mc of grids.mc(mr))
            for (const nc of grids.nc(nr))
              for (const packA of [false, true])
                for (const aBroadcast of packA ? (['splat', 'shuffle', 'k-shuffle'] as const) : (['splat', 'k-shuffle'] as const))
                  if (fits(mr, nr, aBroadcast))
                    for (const { addressing, kLoop } of schedules(kUnroll, aBroadcast))
                    for (const packB of packBs)
                      for (const loopOrder of LOOP_ORDERS)
                        for (const fma of grids.fma)
                          for (const epilogue of epilogues.length ? epilogues : [undefined])
                            yield withKLoop(withALoad(withAddressing(withBroadcast(withEpilogue({ op: 'matmul', backend: 'wasm', family: 'tiled', mr, nr, kUnroll, mc, kc, nc, packA, packB, loopOrder, fma }, epilogue), aBroadcast), addressing), aLoad), kLoop);
  }

  /**
   * With packing at load, each start packs B at load instead: per call that is
   * the start less its B packing (bench:gemm timed them side by side), so the
   * per-call twins stay in the space but take no seed's evaluation.
   */
  function seeds(): MatmulWasmGenome[] {
    const starts = STARTS.flatMap((g) => (caps.relaxedSimd ? [{ ...g, fma: true }, g] : [g]));
    return starts.map((g) => (options.packBAtLoad ? { ...g, packB: 'load' as const } : g)).map(repair).filter((g): g is MatmulWasmGenome => g !== null);
  }

  function descriptor(g: MatmulWasmGenome): readonly string[] {
    const accumulators = g.mr * (g.nr / 4);
    const size = accumulators <= 4 ? 'small' : accumulators <= 8 ? 'medium' : 'large';
    return [g.fma ? 'f32-fma' : 'f32', `tile:${size}`, ...(g.epilogue ? [`epilogue:${g.epilogue}`] : [])];
  }

  return { name: 'matmul/wasm', schema: MatmulWasmGenome, sample, mutate, crossover, check, repair, seeds, enumerate, descriptor };
}

/**
 * The hand-picked starts: a 4x8 tile (14 live vectors: the largest that does
 * not spill with A splat) and a 2x16 one (14 too), A and B packed in GotoBLAS
 * order; both ran at 75-90% of the one-core ceiling in bench/gemm.ts and in
 * campaigns. And a 5x8 tile with A shuffled (14 live), which only fits that
 * way and led the relaxed_madd kernels at 512^3 (BENCHMARKS.md).
 */
const STARTS: readonly MatmulWasmGenome[] = [
  { op: 'matmul', backend: 'wasm', family: 'tiled', mr: 4, nr: 8, kUnroll: 1, mc: 64, kc: 256, nc: 512, packA: true, packB: true, loopOrder: 'nkm', fma: false },
  { op: 'matmul', backend: 'wasm', family: 'tiled', mr: 2, nr: 16, kUnroll: 1, mc: 256, kc: 256, nc: 64, packA: true, packB: true, loopOrder: 'nkm', fma: false },
  { op: 'matmul', backend: 'wasm', family: 'tiled', mr: 5, nr: 8, kUnroll: 1, mc: 60, kc: 256, nc: 256, packA: true, packB: true, loopOrder: 'nkm', fma: false, aBroadcast: 'shuffle' },
];
