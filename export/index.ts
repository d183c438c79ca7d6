import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '../coordinator/store/store.ts';
import { KevoError } from '../lib/errors.ts';
import { wasmExportFiles } from './wasm.ts';
import { webgpuExportFiles } from './webgpu.ts';
import { familyOf } from '../genome/families/registry.ts';
import { accuracyOf, meetsAccuracy } from '../genome/ops/index.ts';

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
  const { problem, genome } = evaluation;
  const precision = evaluation.precision ?? familyOf(problem, genome).precision(genome);
  if (!meetsAccuracy(precision, accuracyOf(problem))) {
    throw new KevoError('BAD_INPUT', `kernel ${kernel.id} computes in ${precision}, which breaks its problem's ${accuracyOf(problem)} accuracy contract`);
  }
  // Kernels stored before launches were kept: the launch (not the text) comes from today's family.
  const launch = kernel.launch ?? familyOf(problem, genome).code(genome, problem).launch;
  return launch.backend === 'wasm'
    ? await wasmExportFiles({ kernelId: kernel.id, problem, wat: kernel.text, launch, meta })
    : webgpuExportFiles({
        problem,
        genome,
        wgsl: kernel.text,
        launch,
        deviceLabel: kernel.deviceClass?.label ?? 'unknown',
        timing: evaluation.timing,
        meta: { ...meta, kernelId: kernel.id },
      });
}
