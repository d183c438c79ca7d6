import type { Store } from '../../coordinator/store/store.ts';
import type { Problem } from '../../genome/ops/index.ts';
import { defaultWasmGenome } from '../../genome/wasm/baseline.ts';
import { KernelJob } from '../../protocol/job.ts';
import { resultFor } from '../../protocol/result.ts';

/**
 * Stores `texts` as ok kernels of campaign c-old, judged by harness 1 (an
 * older, laxer harness), each at a huge claimed speedup, the first fastest:
 * what `kevo reverify` must judge again. Returns the first one's kernel id.
 * The store must already know a device class.
 */
export function storeStaleKernels(store: Store, problem: Problem, texts: readonly string[]): string {
  store.createCampaign({ id: 'c-old', spec: {}, strategy: 'random' });
  for (const [i, text] of texts.entries()) {
    const job = KernelJob.parse({ v: 1, kind: 'kernel', jobId: `j-old-${i}`, campaignId: 'c-old', problem, genome: { ...defaultWasmGenome(problem as Parameters<typeof defaultWasmGenome>[0]), mr: 3 + i }, seed: 1, budgets: {} });
    store.recordJob(job);
    store.ingest(
      resultFor(job, {
        status: 'ok',
        verdicts: [],
        timing: { medianMs: 1e-5, p10Ms: 1e-5, p90Ms: 1e-5, samples: 5, gflops: 50_000, baselineMedianMs: 1, baselineGflops: 1, speedup: 1e5 - i },
        deviceClass: store.devices()[0]!,
        kernel: { language: 'wat', text },
        harnessVersion: 1,
        worker: 'old',
        elapsedMs: 1,
      }),
    );
  }
  return store.evaluations('c-old')[0]!.kernelId!;
}
