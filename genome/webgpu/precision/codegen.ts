import type { KernelCode } from '../../families/launch.ts';
import { directCode } from '../../families/direct-code.ts';
import { tiledCode } from '../../families/matmul-webgpu.ts';
import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { matmulInt8Wgsl } from '../int8/codegen.ts';
import { matmulW4Wgsl, type W4Shape } from '../w4/codegen.ts';
import type { MatmulPrecisionWebgpuGenome } from './genome.ts';
import { quantizedI8Source, quantizedW4Source } from './quantize.ts';

/** What each precision does to the user's f32 tensors, for the kernel's first line. */
function scheme(g: MatmulPrecisionWebgpuGenome): string {
  switch (g.precision) {
    case 'f32':
      return 'computed as they are';
    case 'f16':
      return `rounded to f16 on load, f16 products, ${g.kernel.precision} sums`;
    case 'i8':
      return 'A per row and B per column to symmetric int8 on load, C rescaled';
    case 'w4':
      return `B per column in groups of ${g.group} along K to 4 bits (zero point 8) on load`;
  }
}

/** The kernel's first line says what it computes: the inner family's own header follows it. */
const header = (g: MatmulPrecisionWebgpuGenome, text: string) => `// kevo precision ${g.precision}: f32 A, B in, f32 C out; ${scheme(g)}\n${text}`;

/**
 * Genome -> WGSL for an f32 matmul (bindings A, B, C f32) at the genome's
 * precision, with the f32 problem's launch. Pure. Each precision is its
 * inner family's codegen: the tiled kernel as it is (f32) or in f16 math
 * with the kernel genome's precision as the sums' type (f16), the int8 and w4 tiles with sources that quantize the f32
 * tensors as they load (quantize.ts).
 */
export function precisionCode(g: MatmulPrecisionWebgpuGenome, p: MatmulProblem): KernelCode {
  const code = ((): KernelCode => {
    switch (g.precision) {
      case 'f32':
        return tiledCode(g.kernel, p);
      case 'f16':
        return tiledCode({ ...g.kernel, precision: 'f16' }, p, g.kernel.precision);
      case 'i8':
        return directCode(p, matmulInt8Wgsl(g.kernel, p.shape, 'i8', quantizedI8Source(p.shape, g.kernel)), g.kernel);
      case 'w4': {
        const shape: W4Shape = { ...p.shape, group: g.group, zeroPoint: false };
        return directCode(p, matmulW4Wgsl(g.kernel, shape, quantizedW4Source(shape, g.kernel.tn)), g.kernel);
      }
    }
  })();
  return { ...code, text: header(g, code.text) };
}
