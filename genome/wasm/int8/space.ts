import { describeZodError, KevoError } from '../../../lib/errors.ts';
import type { Rng } from '../../../lib/rng.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import type { SearchSpace } from '../../space.ts';
import { V128_REGISTERS } from '../space.ts';
import { MatmulInt8WasmGenome } from './genome.ts';
import { kPerStep } from './layout.ts';

const MR = [1, 2, 3, 4, 5, 6];
const NR = [4, 8, 12, 16];
const K_UNROLL = [1, 2, 4];

/**
 * v128 values live in a k step: the accumulators (twice with block exponents: the totals too), and c2's
 * packed B vectors and one A broadcast, or c8's A vector per row and one B vector.
 */
export function liveInt8Vectors(g: Pick<MatmulInt8WasmGenome, 'instruction' | 'mr' | 'nr' | 'c8'>, blocked = false): number {
  const accumulators = g.mr * (g.c8 ? g.nr : g.nr / 4) * (blocked ? 2 : 1);
  return accumulators + (g.c8 ? g.mr + 1 : (g.instruction === 'dot16' ? g.nr / 4 : g.nr / 8) + 1);
}

/**
 * The int8 genes for one problem: the instruction (extmul only for i8,
 * whose raw bytes it multiplies; u8 less its zero point leaves the byte
 * range, and i16 has no bytes to multiply), the register tile within the v128 registers V8 keeps on x64, and
 * the k unroll. Small enough to enumerate.
 */
export function wasmInt8Space(problem: MatmulProblem): SearchSpace<MatmulInt8WasmGenome> {
  const instructions: MatmulInt8WasmGenome['instruction'][] = problem.dtype === 'i8' ? ['dot16', 'extmul'] : ['dot16'];
  /** packA only means something for dot16, c8 only with packA: absent otherwise, so one kernel has one genome. */
  /** Bytes to widen: B can be packed as its bytes (narrowB) for i8 and u8i8, not i16. */
  const narrowable = problem.dtype !== 'i16';
  const genome = (instruction: MatmulInt8WasmGenome['instruction'], mr: number, nr: number, kUnroll: number, packA = false, c8 = false, narrowB = false): MatmulInt8WasmGenome => ({
    op: 'matmul',
    backend: 'wasm',
    family: 'int8',
    instruction,
    mr,
    nr,
    kUnroll,
    ...(packA && instruction === 'dot16' ? { packA: true as const } : {}),
    ...(c8 && packA && instruction === 'dot16' ? { c8: true as const } : {}),
    ...(narrowB && narrowable && packA && instruction === 'dot16' ? { narrowB: true as const } : {}),
  });

  const live = (g: Pick<MatmulInt8WasmGenome, 'instruction' | 'mr' | 'nr' | 'c8'>) => liveInt8Vectors(g, problem.exponentBlock !== undefined);
  const block = problem.exponentBlock;

  function check(g: MatmulInt8WasmGenome): string | null {
    const parsed = MatmulInt8WasmGenome.safeParse(g);
    if (!parsed.success) return describeZodError(parsed.error);
    if (!instructions.includes(g.instruction)) return `${g.instruction} multiplies raw i8 bytes: it cannot compute ${problem.dtype}`;
    if (g.instruction === 'extmul' && g.packA) return 'extmul multiplies A in place: packA is for dot16';
    if (g.c8 && !g.packA) return 'c8 reads 8 k of a row from packed A: it needs packA';
    if (g.narrowB && (!g.packA || !narrowable)) return `narrowB packs B as bytes and takes zero points off through packed A's row sums: it needs packA and i8 or u8i8, not ${problem.dtype}`;
    if (block && block % (kPerStep(g) * g.kUnroll) !== 0) return `kUnroll ${g.kUnroll} steps of ${kPerStep(g)} k do not divide an exponent block of ${block}`;
    if (g.instruction === 'extmul' && g.nr % 8 !== 0) return `extmul packs 8 columns per vector: nr ${g.nr} is not a multiple of 8`;
    if (!MR.includes(g.mr)) return `mr ${g.mr} is not one of ${MR.join(', ')}`;
    if (live(g) > V128_REGISTERS) return `${g.mr}x${g.nr} keeps ${live(g)} v128 values live, past the ${V128_REGISTERS} registers`;
    return null;
  }

  /** Nearest valid genome: a legal instruction, nr to a multiple of 8 for extmul, the tile shrunk until it fits. */
  function repair(g: MatmulInt8WasmGenome): MatmulInt8WasmGenome | null {
    const instruction = instructions.includes(g.instruction) ? g.instruction : 'dot16';
    let nr = instruction === 'extmul' ? Math.max(8, Math.floor(g.nr / 8) * 8) : g.nr;
    let mr = Math.min(Math.max(...MR), Math.max(1, g.mr));
    const c8 = g.c8 === true && g.packA === true;
    const c8Gene = c8 ? { c8: true as const } : {};
    while (live({ instruction, mr, nr, ...c8Gene }) > V128_REGISTERS && mr > 1) mr--;
    while (live({ instruction, mr, nr, ...c8Gene }) > V128_REGISTERS && nr > (instruction === 'extmul' ? 8 : 4)) nr -= instruction === 'extmul' ? 8 : 4;
    let kUnroll = K_UNROLL.includes(g.kUnroll) ? g.kUnroll : 1;
    while (block && block % ((c8 ? 8 : 2) * kUnroll) !== 0 && kUnroll > 1) kUnroll /= 2;
    const fixed = genome(instruction, mr, nr, kUnroll, g.packA === true, c8 && (!block || block % 8 === 0), g.narrowB === true);
    return check(fixed) === null ? fixed : null;
  }

  const repaired = (g: MatmulInt8WasmGenome) => {
    const fixed = repair(g);
    if (!fixed) throw new KevoError('FAILURE', `matmul/wasm int8: could not repair ${JSON.stringify(g)}`);
    return fixed;
  };

  function* enumerate(): Iterable<MatmulInt8WasmGenome> {
    for (const instruction of instructions) {
      for (const mr of MR) for (const nr of NR) for (const kUnroll of K_UNROLL) for (const packA of instruction === 'dot16' ? [false, true] : [false]) {
        for (const c8 of packA ? [false, true] : [false]) for (const narrowB of packA && narrowable ? [false, true] : [false]) {
          const g = genome(instruction, mr, nr, kUnroll, packA, c8, narrowB);
          if (check(g) === null) yield g;
        }
      }
    }
  }

  const mutations: ((g: MatmulInt8WasmGenome, rng: Rng) => MatmulInt8WasmGenome)[] = [
    (g, rng) => ({ ...g, instruction: rng.pick(instructions) }),
    (g, rng) => ({ ...g, mr: rng.pick(MR) }),
    (g, rng) => ({ ...g, nr: rng.pick(NR) }),
    (g, rng) => ({ ...g, kUnroll: rng.pick(K_UNROLL) }),
    (g) => genome(g.instruction, g.mr, g.nr, g.kUnroll, !g.packA, g.c8, g.narrowB),
    (g) => genome(g.instruction, g.mr, g.nr, g.kUnroll, true, !g.c8, g.narrowB),
    (g) => genome(g.instruction, g.mr, g.nr, g.kUnroll, true, g.c8, !g.narrowB),
  ];

  return {
    name: 'matmul/wasm int8',
    schema: MatmulInt8WasmGenome,
    sample: (rng) => repaired(genome(rng.pick(instructions), rng.pick(MR), rng.pick(NR), rng.pick(K_UNROLL), rng.chance(0.5), rng.chance(0.5), rng.chance(0.5))),
    mutate: (g, rng) => repaired(rng.pick(mutations)(g, rng)),
    crossover: (a, b, rng) =>
      repaired(
        genome(
          rng.chance(0.5) ? a.instruction : b.instruction,
          rng.chance(0.5) ? a.mr : b.mr,
          rng.chance(0.5) ? a.nr : b.nr,
          rng.chance(0.5) ? a.kUnroll : b.kUnroll,
          (rng.chance(0.5) ? a : b).packA === true,
          (rng.chance(0.5) ? a : b).c8 === true,
          (rng.chance(0.5) ? a : b).narrowB === true,
        ),
      ),
    check,
    repair,
    enumerate,
    // Measured at 512^3 and 1x4096x4096 (BENCHMARKS.md, int8 kernels): one k step per loop turn (TurboFan hoists an
    // unrolled turn's loads and spills accumulators), A packed; XNNPACK's c8 (src/qs8-gemm MRx4c8) as fast as c2 on
    // squares and the fastest GEMV, where one row streams B once: as bytes (narrowB) where the dtype has them.
    seeds: () =>
      (problem.shape.m === 1
        ? [genome('dot16', 1, 8, 1, true, true, true), genome('dot16', 1, 8, 1, true, true), genome('dot16', 1, 16, 1, true)]
        : [genome('dot16', 4, 8, 1, true), genome('dot16', 2, 4, 1, true, true), genome('dot16', 2, 16, 1, true), ...(instructions.includes('extmul') ? [genome('extmul', 4, 8, 1)] : [])]
      ).map(repaired),
    descriptor: (g) => [`${g.instruction}${g.packA ? '+packA' : ''}${g.c8 ? '+c8' : ''}${g.narrowB ? '+narrowB' : ''}`, `tile:${g.mr * g.nr >= 32 ? 'large' : 'small'}`],
  };
}
