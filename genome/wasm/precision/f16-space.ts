import { describeZodError } from '../../../lib/errors.ts';
import type { MatmulShape } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { V128_REGISTERS } from '../space.ts';
import { F16KernelGenome, liveF16Vectors } from './f16.ts';

const NR = [8, 16] as const;

/**
 * The f16 tile's genes for one shape: every mr x nr within the v128
 * registers V8 keeps, mr no taller than M (a GEMV's extra rows would only
 * repeat row 0). Small enough to enumerate. Seeds: the widest tile for a
 * GEMV (one row, sixteen columns: each A value feeds four vectors), a square-ish
 * one otherwise.
 */
export function wasmF16KernelSpace({ m }: MatmulShape): SearchSpace<F16KernelGenome> {
  const tallest = Math.max(1, Math.min(5, m));
  const all = NR.flatMap((nr) => Array.from({ length: tallest }, (_, i): F16KernelGenome => ({ mr: i + 1, nr }))).filter((g) => liveF16Vectors(g) <= V128_REGISTERS);

  function check(g: F16KernelGenome): string | null {
    const parsed = F16KernelGenome.safeParse(g);
    if (!parsed.success) return describeZodError(parsed.error);
    if (g.mr > tallest) return `mr ${g.mr} is taller than M (${m})`;
    if (liveF16Vectors(g) > V128_REGISTERS) return `${g.mr}x${g.nr} keeps ${liveF16Vectors(g)} v128 values live, past the ${V128_REGISTERS} registers`;
    return null;
  }
  const repair = (g: F16KernelGenome): F16KernelGenome | null => {
    const nr = g.nr === 16 ? 16 : 8;
    let mr = Math.min(tallest, Math.max(1, Math.round(g.mr)));
    while (mr > 1 && liveF16Vectors({ mr, nr }) > V128_REGISTERS) mr--;
    return check({ mr, nr }) === null ? { mr, nr } : null;
  };
  const seeds = (m === 1 ? [{ mr: 1, nr: 16 } as const, { mr: 1, nr: 8 } as const] : [{ mr: Math.min(4, tallest), nr: 8 } as const, { mr: Math.min(2, tallest), nr: 16 } as const]).filter((g) => check(g) === null);

  return {
    name: 'matmul-precision/wasm f16',
    schema: F16KernelGenome,
    sample: (rng) => rng.pick(all),
    mutate: (g, rng) => repair(rng.chance(0.5) ? { ...g, nr: g.nr === 8 ? 16 : 8 } : { ...g, mr: g.mr + rng.pick([-1, 1]) }) ?? g,
    crossover: (a, b, rng) => repair({ mr: rng.pick([a.mr, b.mr]), nr: rng.pick([a.nr, b.nr]) }) ?? a,
    check,
    repair,
    seeds: () => seeds,
    enumerate: () => all,
    descriptor: (g) => ['f16', `tile:${g.mr}x${g.nr}`],
  };
}
