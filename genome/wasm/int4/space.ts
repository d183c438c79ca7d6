import { describeZodError, KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { SearchSpace } from '../../space.ts';
import type { MatmulWasmGenome } from '../genome.ts';
import { wasmMatmulSpace, type WasmCaps } from '../space.ts';
import { Int4WasmGenome, type GemmGenes, type InlineGenome, type PackGenome } from './genome.ts';
import { packWorkspaceBytes } from './pack.ts';
import type { Int4Kernel } from './problem.ts';

/** wasm32's 4 GiB, less a margin for the tensors' alignment. */
const WASM32_BYTES = 2 ** 32 - 2 ** 20;

const TILE = [1, 2, 3, 4];
const CHAINS = [1, 2, 4];
/**
 * Tiles past 8 outputs keep more v128 values live than V8's 15 registers
 * (per column: the low and high nibbles, the scale and zero point; per output
 * its accumulators): they spill in the inner loop.
 */
const MAX_OUTPUTS = 8;

const common = { op: 'matmul', backend: 'wasm', family: 'int4' } as const;
const gemmOf = (g: PackGenome): MatmulWasmGenome => ({ op: 'matmul', backend: 'wasm', family: 'tiled', ...g.gemm });
const packOf = (gemm: MatmulWasmGenome): PackGenome => {
  const { op: _op, backend: _backend, family: _family, epilogue: _epilogue, ...genes } = gemm;
  return { ...common, dequant: 'pack', gemm: genes satisfies GemmGenes };
};

/**
 * The 4-bit matmul genes on WASM SIMD. Dequantize inline (tile, scale
 * placement, accumulator chains, relaxed SIMD) or pack B to f32 and search
 * the f32 tiled kernel's own genes (its space, over the same shape).
 */
export function wasmInt4Space(p: Int4Kernel, caps: WasmCaps): SearchSpace<Int4WasmGenome> {
  // B packed at load: the load-time dequantization writes the f32 kernel's panels (pack.ts)
  const gemm = wasmMatmulSpace({ op: 'matmul', shape: { m: p.m, n: p.n, k: p.k }, dtype: 'f32' }, caps, { packBAtLoad: true });
  const w4 = p.dtype === 'w4';
  const grids = {
    mr: TILE.filter((v) => v <= p.m),
    nr: TILE.filter((v) => v <= p.n),
    scale: w4 ? (['group', 'weight'] as const) : (['group'] as const),
    chains: w4 ? CHAINS : [1],
    relaxed: caps.relaxedSimd ? [false, true] : [false],
  };
  // Dequantizing to f32 takes 8x B's bytes and more: at some shapes only inline fits in wasm32's memory.
  const tensorBytes = 4 * (p.m * p.k + p.m * p.n) + (p.n * Math.ceil(p.k / p.group) * p.group) / 2 + 4 * p.n * Math.ceil(p.k / p.group);
  const packFits = tensorBytes + packWorkspaceBytes(p) <= WASM32_BYTES;
  const clamp = (x: number, values: readonly number[]) => values.reduce((best, v) => (Math.abs(v - x) < Math.abs(best - x) ? v : best));

  function check(genome: Int4WasmGenome): string | null {
    const parsed = Int4WasmGenome.safeParse(genome);
    if (!parsed.success) return describeZodError(parsed.error);
    const g = parsed.data;
    if (g.dequant === 'pack') return packFits ? gemm.check(gemmOf(g)) : 'pack needs the dequantized f32 B in the workspace, past wasm32 memory at this shape';
    if (g.relaxed && !caps.relaxedSimd) return 'relaxed needs relaxed SIMD, which this runtime lacks';
    if (g.mr > p.m) return `mr ${g.mr} is more rows than M ${p.m}`;
    if (g.nr > p.n) return `nr ${g.nr} is more columns than N ${p.n}`;
    if (g.mr * g.nr > MAX_OUTPUTS) return `a ${g.mr}x${g.nr} tile holds more than ${MAX_OUTPUTS} outputs: it spills`;
    if (!w4 && (g.scale !== 'group' || g.chains !== 1)) return 'w4a8 sums exact integers per group: scale group and one chain';
    if (!grids.chains.includes(g.chains)) return `chains ${g.chains} is not one of ${grids.chains.join(', ')}`;
    return null;
  }

  function repair(genome: Int4WasmGenome): Int4WasmGenome | null {
    if (genome.dequant === 'pack') {
      const fixed = packFits ? gemm.repair(gemmOf(genome)) : null;
      return fixed ? packOf(fixed) : null;
    }
    let mr = clamp(genome.mr, grids.mr);
    let nr = clamp(genome.nr, grids.nr);
    while (mr * nr > MAX_OUTPUTS) {
      if (mr >= nr) mr--;
      else nr--;
    }
    const fixed: InlineGenome = {
      ...genome,
      mr,
      nr,
      scale: w4 ? genome.scale : 'group',
      chains: clamp(genome.chains, grids.chains),
      relaxed: genome.relaxed && caps.relaxedSimd,
    };
    return check(fixed) === null ? fixed : null;
  }

  const repaired = (genome: Int4WasmGenome) => {
    const g = repair(genome);
    if (!g) throw new KevoError('FAILURE', `matmul-int4/wasm: could not repair ${JSON.stringify(genome)}`);
    return g;
  };

  const sampleInline = (rng: Rng): Int4WasmGenome =>
    repaired({
      ...common,
      dequant: 'inline',
      mr: rng.pick(grids.mr),
      nr: rng.pick(grids.nr),
      scale: rng.pick(grids.scale),
      chains: rng.pick(grids.chains),
      relaxed: rng.pick(grids.relaxed),
    });
  const sample = (rng: Rng): Int4WasmGenome => (!packFits || rng.chance(0.5) ? sampleInline(rng) : packOf(gemm.sample(rng)));

  const inlineMutations: ((g: InlineGenome, rng: Rng) => Int4WasmGenome)[] = [
    (g, rng) => ({ ...g, mr: rng.pick(grids.mr) }),
    (g, rng) => ({ ...g, nr: rng.pick(grids.nr) }),
    (g, rng) => ({ ...g, scale: rng.pick(grids.scale) }),
    (g, rng) => ({ ...g, chains: rng.pick(grids.chains) }),
    (g) => ({ ...g, relaxed: !g.relaxed }),
  ];

  function mutate(genome: Int4WasmGenome, rng: Rng): Int4WasmGenome {
    // Now and then the other place to dequantize, from one of its seeds
    if (rng.chance(0.1)) return genome.dequant === 'pack' || !packFits ? sampleInline(rng) : packOf(rng.pick(gemm.seeds!()));
    if (genome.dequant === 'pack') return packOf(gemm.mutate(gemmOf(genome), rng));
    return repaired(rng.pick(inlineMutations)(genome, rng));
  }

  function crossover(a: Int4WasmGenome, b: Int4WasmGenome, rng: Rng): Int4WasmGenome {
    if (a.dequant === 'pack' && b.dequant === 'pack') return packOf(gemm.crossover(gemmOf(a), gemmOf(b), rng));
    if (a.dequant === 'inline' && b.dequant === 'inline') {
      const from = () => (rng.chance(0.5) ? a : b);
      const tile = from();
      return repaired({ ...common, dequant: 'inline', mr: tile.mr, nr: tile.nr, scale: from().scale, chains: from().chains, relaxed: from().relaxed });
    }
    return rng.chance(0.5) ? a : b;
  }

  /**
   * Inline: a one-column tile with two chains (the GEMV's streaming kernel,
   * fastest at M = 1 here) and a 4x2 tile scaling each weight; pack: the f32
   * kernel's starts with B packed at load, FMA where the runtime has it (the
   * GEMM's choice at 512^3; the 5x8 with A shuffled led relaxed_madd there).
   */
  function seeds(): Int4WasmGenome[] {
    // w4a8 starts from the widening dot: the relaxed one is left to the search (Node 20's V8 gets it wrong at times, docs/architecture.md)
    const relaxed = caps.relaxedSimd && w4;
    // At M = 1 (measured at 1x4096x4096, BENCHMARKS.md): four columns a tile share each A load, one chain each, the
    // scale once per group; 1x2 with two chains and the scale per weight, which the GEMV used to pick, ran 3-5x slower.
    const inline: InlineGenome[] =
      p.m === 1
        ? [
            { ...common, dequant: 'inline', mr: 1, nr: 4, scale: 'group', chains: 1, relaxed },
            { ...common, dequant: 'inline', mr: 1, nr: 1, scale: 'group', chains: 2, relaxed },
          ]
        : [
            { ...common, dequant: 'inline', mr: 1, nr: 1, scale: 'group', chains: 2, relaxed },
            { ...common, dequant: 'inline', mr: 4, nr: 2, scale: 'weight', chains: 2, relaxed },
          ];
    const packed = packFits ? gemm.seeds!().filter((g) => g.packB === 'load' && g.fma === caps.relaxedSimd).map(packOf) : [];
    const all = p.m === 1 ? [...inline, ...packed] : [...packed, ...inline];
    const seen = new Set<string>();
    return all
      .map(repair)
      .filter((g): g is Int4WasmGenome => g !== null)
      .filter((g) => !seen.has(JSON.stringify(g)) && seen.add(JSON.stringify(g)) !== undefined);
  }

  function descriptor(g: Int4WasmGenome): readonly string[] {
    if (g.dequant === 'pack') return ['dequant:pack', ...gemm.descriptor(gemmOf(g))];
    return ['dequant:inline', g.relaxed ? 'relaxed' : 'plain', `tile:${g.mr * g.nr <= 2 ? 'small' : 'large'}`];
  }

  return { name: 'matmul-int4/wasm', schema: Int4WasmGenome, sample, mutate, crossover, check, repair, seeds, descriptor };
}
