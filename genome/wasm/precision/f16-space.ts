import { describeZodError } from '../../../lib/errors.ts';
import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { V128_REGISTERS, type WasmCaps } from '../space.ts';
import { F16KernelGenome, liveF16Vectors } from './f16.ts';

const NR = [8, 16] as const;
const K_UNROLL = [1, 2, 4] as const;

/**
 * The f16 tile's genes for one shape: every mr x nr within the v128
 * registers V8 keeps, mr no taller than M (a GEMV's extra rows would only
 * repeat row 0), any unroll, fma where relaxed SIMD is on. Small enough to
 * enumerate. Seeds: the widest tile for a GEMV (one row, sixteen columns:
 * each A value feeds four vectors), a square-ish one otherwise, unrolled by 4.
 */
export function wasmF16KernelSpace({ m }: MatmulShape, caps: WasmCaps): SearchSpace<F16KernelGenome> {
  const tallest = Math.max(1, Math.min(5, m));
  const fmas = caps.relaxedSimd ? [false, true] : [false];
  const all = NR.flatMap((nr) =>
    Array.from({ length: tallest }, (_, i) => i + 1).flatMap((mr) => K_UNROLL.flatMap((kUnroll) => fmas.map((fma): F16KernelGenome => ({ mr, nr, kUnroll, fma })))),
  ).filter((g) => liveF16Vectors(g) <= V128_REGISTERS);

  function check(g: F16KernelGenome): string | null {
    const parsed = F16KernelGenome.safeParse(g);
    if (!parsed.success) return describeZodError(parsed.error);
    if (g.mr > tallest) return `mr ${g.mr} is taller than M (${m})`;
    if (g.fma && !caps.relaxedSimd) return 'fma is f32x4.relaxed_madd: relaxed SIMD is off';
    if (liveF16Vectors(g) > V128_REGISTERS) return `${g.mr}x${g.nr} keeps ${liveF16Vectors(g)} v128 values live, past the ${V128_REGISTERS} registers`;
    return null;
  }
  const repair = (g: F16KernelGenome): F16KernelGenome | null => {
    const nr = g.nr === 16 ? 16 : 8;
    let mr = Math.min(tallest, Math.max(1, Math.round(g.mr)));
    while (mr > 1 && liveF16Vectors({ mr, nr }) > V128_REGISTERS) mr--;
    const fixed: F16KernelGenome = { mr, nr, kUnroll: K_UNROLL.includes(g.kUnroll) ? g.kUnroll : 1, fma: g.fma && caps.relaxedSimd };
    return check(fixed) === null ? fixed : null;
  };
  const tiles: readonly Pick<F16KernelGenome, 'mr' | 'nr'>[] = m === 1 ? [{ mr: 1, nr: 16 }, { mr: 1, nr: 8 }] : [{ mr: Math.min(4, tallest), nr: 8 }, { mr: Math.min(2, tallest), nr: 16 }];
  const seeds = tiles.map((tile): F16KernelGenome => ({ ...tile, kUnroll: 4, fma: caps.relaxedSimd })).filter((g) => check(g) === null);

  return {
    name: 'matmul-precision/wasm f16',
    schema: F16KernelGenome,
    sample: (rng) => rng.pick(all),
    mutate: (g, rng) => {
      const gene = rng.int(0, caps.relaxedSimd ? 3 : 2);
      const changed = [{ ...g, nr: g.nr === 8 ? 16 : 8 }, { ...g, mr: g.mr + rng.pick([-1, 1]) }, { ...g, kUnroll: rng.pick(K_UNROLL) }, { ...g, fma: !g.fma }][gene] as F16KernelGenome;
      return repair(changed) ?? g;
    },
    crossover: (a, b, rng) => repair({ mr: rng.pick([a.mr, b.mr]), nr: rng.pick([a.nr, b.nr]), kUnroll: rng.pick([a.kUnroll, b.kUnroll]), fma: rng.pick([a.fma, b.fma]) }) ?? a,
    check,
    repair,
    seeds: () => seeds,
    enumerate: () => all,
    descriptor: (g) => [g.fma ? 'f16-fma' : 'f16', `tile:${g.mr}x${g.nr}`],
  };
}
