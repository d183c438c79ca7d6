import { z } from 'zod';

/**
 * The genes of a direct-load register tile, shared by the WGSL families over
 * packed storage (f16, int8): a workgroup of workgroupX x workgroupY threads,
 * each computing tm rows x tn groups of 4 columns (strided by the workgroup,
 * so neighbouring threads read neighbouring words), stepping K `unroll` steps
 * per loop trip. No workgroup memory: on lavapipe staging lost to direct loads
 * (shared/measurements.md).
 */
export const DirectTileGenes = {
  workgroupX: z.number().int().min(1).max(256),
  workgroupY: z.number().int().min(1).max(256),
  tm: z.number().int().min(1).max(8),
  tn: z.number().int().min(1).max(8),
  unroll: z.number().int().min(1).max(16),
};

export interface DirectTile {
  readonly workgroupX: number;
  readonly workgroupY: number;
  readonly tm: number;
  readonly tn: number;
  readonly unroll: number;
}

/** The output tile one workgroup covers: dispatch = (ceil(N / cols), ceil(M / rows), 1). */
export function directTile(g: DirectTile): { rows: number; cols: number } {
  return { rows: g.workgroupY * g.tm, cols: g.workgroupX * g.tn * 4 };
}

export const indent = (depth: number) => (line: string) => (line ? '  '.repeat(depth) + line : line);
export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Row r and column group c of thread lid in the workgroup's tile, and their clamped load positions. */
export function ownedIndices(g: DirectTile, m: number): string[] {
  return [
    `let tileRow = wg.y * ${g.workgroupY * g.tm}u;`,
    `let tileCol = wg.x * ${g.workgroupX * g.tn * 4}u;`,
    ...range(g.tm).map((r) => `let row${r} = tileRow + ${r * g.workgroupY}u + lid.y;`),
    ...range(g.tn).map((c) => `let col${c} = tileCol + ${c * g.workgroupX * 4}u + lid.x * 4u;`),
    ...range(g.tm).map((r) => `let arow${r} = min(row${r}, ${m - 1}u) * K;`),
  ];
}

/**
 * The K loop in steps of `width` elements: `unroll` steps per trip while they
 * fit, then single steps, then (when K is no multiple of width) one static
 * step over the last K % width. Flat loops: lavapipe compiles nested
 * constant-trip loops slowly.
 */
export function kSteps(k: number, width: number, unroll: number, step: (at: string, tag: string, count: number) => string[]): string[] {
  const whole = Math.floor(k / width);
  const u = Math.max(1, Math.min(unroll, whole));
  const rest = k % width;
  return [
    'var k = 0u;',
    ...(whole > 0
      ? [`for (; k + ${u * width}u <= K; k += ${u * width}u) {`, ...range(u).flatMap((i) => step(i === 0 ? 'k' : `k + ${i * width}u`, `_${i}`, width)).map(indent(1)), '}']
      : []),
    ...(whole % u !== 0 ? [`for (; k + ${width}u <= K; k += ${width}u) {`, ...step('k', '', width).map(indent(1)), '}'] : []),
    ...(rest > 0 ? ['{', ...step(`${k - rest}u`, '_t', rest).map(indent(1)), '}'] : []),
  ];
}

/**
 * The word of packed elements (`bits` wide: 8 or 16) from element e on,
 * whatever e's alignment: two words funnel-shifted, the second clamped to
 * the buffer (a shift by 32 is mod 32 at run time, and the select drops it).
 */
export function funnelLoad(tensor: string, words: number, bits: 8 | 16): string[] {
  const perWord = 32 / bits;
  return [
    `fn load${tensor}(e: u32) -> u32 {`,
    `  let w = e >> ${Math.log2(perWord)}u;`,
    `  let s = (e & ${perWord - 1}u) * ${bits}u;`,
    `  let lo = ${tensor}[w];`,
    `  let hi = ${tensor}[min(w + 1u, ${words - 1}u)];`,
    '  return select((lo >> s) | (hi << (32u - s)), lo, s == 0u);',
    '}',
    '',
  ];
}

/** Limits above WebGPU's defaults a direct tile relies on; an exported loader requests them or says which are missing. */
export function directLimits(g: DirectTile): Record<string, number> {
  const limits: Record<string, number> = {};
  if (g.workgroupX * g.workgroupY > 256) limits.maxComputeInvocationsPerWorkgroup = g.workgroupX * g.workgroupY;
  if (g.workgroupX > 256) limits.maxComputeWorkgroupSizeX = g.workgroupX;
  if (g.workgroupY > 256) limits.maxComputeWorkgroupSizeY = g.workgroupY;
  return limits;
}

export function describeTile(g: DirectTile): string {
  return `${g.workgroupX}x${g.workgroupY} threads x ${g.tm}x${g.tn * 4} tile, unroll ${g.unroll}`;
}

/** A genome's genes as the kernel's header comment shows them: all but the fields that name its family. */
export function genesText(g: object): string {
  const { op: _op, backend: _backend, family: _family, ...genes } = g as Record<string, unknown>;
  return JSON.stringify(genes);
}
