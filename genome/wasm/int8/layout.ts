import type { MatmulProblem } from '../../ops/matmul-problem.ts';
import { roundUp } from '../tiling.ts';
import { requantizedModule, requantizedWorkspace } from './requantize.ts';
import type { MatmulInt8WasmGenome } from './genome.ts';

/** k values a B vector holds per column: a pair (c2), or 8 (c8). */
export const kPerStep = (g: Pick<MatmulInt8WasmGenome, 'c8'>) => (g.c8 ? 8 : 2);

/**
 * Packed B, as the load-time step writes it into the launch's packed region: column blocks of nr, each the k
 * steps in order (padded with zeros to a whole number of unrolled steps),
 * each step the nr columns' kPerStep values, a column's side by side (i16 for dot16, bytes
 * for extmul): exactly the vectors a step of the tile multiplies.
 */
export function packedB(g: MatmulInt8WasmGenome, p: MatmulProblem) {
  const kc = kPerStep(g);
  const steps = roundUp(Math.ceil(p.shape.k / kc), g.kUnroll);
  const columns = roundUp(p.shape.n, g.nr);
  const elementBytes = g.instruction === 'dot16' && !g.narrowB ? 2 : 1;
  /** Bytes of one step of one column block: nr columns x kc values. */
  const stepBytes = g.nr * kc * elementBytes;
  /** Bytes of one B vector: 8 values for dot16 (i16, or bytes widened by the load), 16 bytes for extmul. */
  const vectorBytes = g.instruction === 'dot16' ? 8 * elementBytes : 16;
  return { kc, steps, columns, elementBytes, vectorBytes, stepBytes, blockBytes: steps * stepBytes, bytes: columns * steps * kc * elementBytes };
}

/** Rows of packed A: M rounded up to 8, so a tile of up to 8 rows reads rows past M (never stored) inside the workspace. */
const A_ROWS = 8;

/**
 * Packed A (dot16 with packA), per call in the workspace: each row's K values
 * as i16 less the zero point, written 8 at a time (one widening load, one
 * store), so a row takes K rounded up to 8 values: at least the k pairs of
 * any unroll. What lies past K (the next row's values) multiplies B's packed
 * zeros. Rows are `rowBytes` apart, so a tile reads all its rows through one
 * pointer and constant offsets.
 */
export function packedA(p: MatmulProblem) {
  const chunks = Math.ceil(p.shape.k / 8);
  return { chunks, rowBytes: chunks * 16, bytes: roundUp(p.shape.m, A_ROWS) * chunks * 16 };
}

/** The workspace the i32 kernel needs: any genome's packed A, then (narrowB) each packed row's sum as i32. */
export function packedAWorkspaceBytes(p: MatmulProblem): number {
  return packedA(p).bytes + rowSumBytes(p);
}

/** narrowB with u8i8: the sums of packed A's rows (A less its zero point), i32 per padded row, after packed A. */
export const rowSumBytes = (p: MatmulProblem) => roundUp(p.shape.m, A_ROWS) * 4;

/** The workspace of any genome's kernel: packed A (and row sums), and with an i16 output C32 after it (requantize.ts). */
export function int8WorkspaceBytes(p: MatmulProblem): number {
  return p.output === 'i16' ? requantizedWorkspace(p, packedAWorkspaceBytes(p)) : packedAWorkspaceBytes(p);
}

/** The module for an i32 kernel's text: itself, or with an i16 output wrapped to requantize its C32. */
export function withOutput(wat: string, p: MatmulProblem): string {
  return p.output === 'i16' ? requantizedModule(wat, p, packedAWorkspaceBytes(p)) : wat;
}
