import type { Problem } from '../ops/index.ts';
import { directLimits, type DirectTile } from '../webgpu/direct/genes.ts';
import { webgpuLaunch } from './abi.ts';
import type { KernelCode, WebgpuLaunch } from './launch.ts';

/** A direct-tile WGSL kernel (f16, int8, w4 families) as the store keeps it: its text, and the ABI's launch with the limits its tile needs (none for a baseline). */
export function directCode(
  problem: Problem,
  kernel: { wgsl: string; workgroupSize: [number, number, number]; tile: { rows: number; cols: number }; passes?: NonNullable<WebgpuLaunch['passes']> },
  tile: DirectTile | null,
): KernelCode {
  return { language: 'wgsl', text: kernel.wgsl, launch: webgpuLaunch(problem, { ...kernel, limits: tile ? directLimits(tile) : {} }) };
}
