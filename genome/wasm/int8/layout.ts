import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { roundUp } from '../tiling.ts';
import { requantizedModule, requantizedWorkspace } from './requantize.ts';
import type { MatmulInt8WasmGenome } from './genome.ts';

/**
 * Packed B, as the load-time step writes it into the launch's packed region: column blocks of nr, each the k
 * pairs in order (padded with zeros to a whole number of unrolled steps),
 * each pair the nr columns' two values side by side (i16 for dot16, bytes
 * for extmul): exactly the vector a k pair of the tile multiplies.
 */
export function packedB(g: MatmulInt8WasmGenome, p: MatmulProblem) {
  const pairs = roundUp(Math.ceil(p.shape.k / 2), g.kUnroll);
  const columns = roundUp(p.shape.n, g.nr);
  const elementBytes = g.instruction === 'dot16' ? 2 : 1;
  /** Bytes of one k pair of one column block: nr columns x 2 values. */
  const pairBytes = g.nr * 2 * elementBytes;
  return { pairs, columns, elementBytes, pairBytes, blockBytes: pairs * pairBytes, bytes: columns * pairs * 2 * elementBytes };
}

/** Packed A (dot16 with packA), per call in the workspace: each row's k pairs as two i16 less the zero point, zero past K. */
export function packedA(g: MatmulInt8WasmGenome, p: MatmulProblem) {
  const rowBytes = packedB(g, p).pairs * 4;
  return { rowBytes, elements: p.shape.m * (rowBytes / 2) };
}

/** The workspace any genome's packed A fits in (the widest unroll). */
export function packedAWorkspaceBytes(p: MatmulProblem): number {
  return p.shape.m * roundUp(Math.ceil(p.shape.k / 2), 4) * 4;
}

/** The workspace of any genome's kernel: packed A, and with an i16 output C32 after it (requantize.ts). */
export function int8WorkspaceBytes(p: MatmulProblem): number {
  return p.output === 'i16' ? requantizedWorkspace(p, packedAWorkspaceBytes(p)) : packedAWorkspaceBytes(p);
}

/** The module for an i32 kernel's text: itself, or with an i16 output wrapped to requantize its C32. */
export function withOutput(wat: string, p: MatmulProblem): string {
  return p.output === 'i16' ? requantizedModule(wat, p, packedAWorkspaceBytes(p)) : wat;
}
