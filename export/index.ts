import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../coordinator/store/store.ts';
import { KevoError } from '../lib/errors.ts';
import { wasmExportFiles } from './wasm.ts';
import { webgpuExportFiles, type WebgpuExport } from './webgpu.ts';

/**
 * Writes a stored kernel and the evidence for it (problem, genome, device
 * class, timings, verifier verdicts) into `dir`, with a loader module a user
 * drops into their own code. Returns the file names written.
 */
export async function exportKernel(store: Store, kernelId: string, dir: string): Promise<string[]> {
  const files = await exportFiles(store, kernelId);
  try {
    mkdirSync(dir, { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  } catch (error) {
    throw new KevoError('BAD_INPUT', `cannot write to "${dir}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return Object.keys(files);
}

/** The files exportKernel writes, by name: what the dashboard offers for download one by one. */
export async function exportFiles(store: Store, kernelId: string): Promise<Record<string, string | Uint8Array>> {
  const kernel = store.resolveKernel(kernelId);
  const evaluation = kernel.evaluation;
  if (!evaluation) throw new KevoError('NOT_FOUND', `kernel ${kernel.id} has no evaluation to export`);
  const meta = {
    genome: evaluation.genome,
    deviceClass: kernel.deviceClass,
    status: evaluation.status,
    timing: evaluation.timing,
    verdicts: evaluation.verdicts,
    campaignId: evaluation.campaignId,
    jobId: evaluation.jobId,
  };
  return kernel.language === 'wat'
    ? await wasmExportFiles({ kernelId: kernel.id, problem: evaluation.problem, wat: kernel.text, meta })
    : webgpuExportFiles({
        problem: evaluation.problem,
        genome: evaluation.genome as WebgpuExport['genome'],
        wgsl: kernel.text,
        deviceLabel: kernel.deviceClass?.label ?? 'unknown',
        timing: evaluation.timing,
        meta: { ...meta, kernelId: kernel.id },
      });
}
