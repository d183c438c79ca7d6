import { matmul } from '../../ops/matmul.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { precisionSpace, type PrecisionBranch } from '../../precision-space.ts';
import type { SearchSpace } from '../../space.ts';
import { wasmInt4Space } from '../int4/space.ts';
import { wasmInt8Space } from '../int8/space.ts';
import { wasmMatmulSpace, type WasmCaps } from '../space.ts';
import { i8Problem } from './codegen.ts';
import { wasmF16KernelSpace } from './f16-space.ts';
import { MatmulPrecisionWasmGenome } from './genome.ts';

type Genome = MatmulPrecisionWasmGenome;
const GROUPS = [32, 64, 128] as const;
const common = { op: 'matmul', backend: 'wasm', family: 'precision' } as const;
const wrap = (fields: object) => (kernel: unknown) => MatmulPrecisionWasmGenome.parse({ ...common, ...fields, kernel });

/**
 * The precision gene over the spaces of the kernels each precision wraps
 * (genome/precision-space.ts): the f32 tiled space, the int8 space over the
 * same shape as i8, the int4 space as w4 for each group (the group is a
 * gene too; groups of 32 seed it), and f16's tile over f16 B panels.
 */
export function wasmPrecisionSpace(problem: MatmulProblem, caps: WasmCaps): SearchSpace<Genome> {
  const branches: PrecisionBranch<Genome>[] = [
    // f32 is the tiled family's kernel: with B fixed it may pack B at load, as there
    { key: 'f32', precision: 'f32', space: wasmMatmulSpace(problem, caps, { packBAtLoad: matmul.weightsFixed?.(problem) ?? false }), wrap: wrap({ precision: 'f32' }) },
    { key: 'i8', precision: 'i8', space: wasmInt8Space(i8Problem(problem)), wrap: wrap({ precision: 'i8' }) },
    ...GROUPS.map((group): PrecisionBranch<Genome> => ({
      key: `w4:${group}`,
      precision: 'w4',
      space: wasmInt4Space({ ...problem.shape, group, dtype: 'w4', zeroPoints: false }, caps),
      wrap: wrap({ precision: 'w4', group }),
      seeded: group === 32,
    })),
    { key: 'f16', precision: 'f16', space: wasmF16KernelSpace(problem.shape, caps), wrap: wrap({ precision: 'f16' }) },
  ];
  return precisionSpace('matmul-precision/wasm', MatmulPrecisionWasmGenome, branches, (g) => (g.precision === 'w4' ? `w4:${g.group}` : g.precision));
}
