import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCampaign, runCampaign, type CampaignRun, type Progress } from '../coordinator/campaign.ts';
import { parseSpec } from '../coordinator/spec.ts';
import { Store } from '../coordinator/store/store.ts';
import { NatsTransport } from '../coordinator/transport/nats.ts';
import { silentLogger } from '../lib/log.ts';
import { NatsServer, uniquePrefix } from './nats-server.ts';
import { TEST_DEVICE_CLASS } from './sleep-evaluator.ts';
import { WorkerChild } from './worker-child.ts';

export interface SoakOptions {
  readonly evaluations: number;
  /** Proposals per generation. */
  readonly population: number;
  /** The worker process's threads. */
  readonly threads: number;
  /** Called before the first generation and after every one, with the coordinator's live transport. */
  readonly onGeneration: (progress: Progress, transport: NatsTransport) => void;
}

/**
 * A long campaign through the real coordinator: runCampaign with a random
 * strategy, a SQLite store file and the NATS transport, against one worker
 * process whose evaluator answers at once (SleepEvaluator, 1 ms budget). The
 * coordinator is this process, so its memory is this process's.
 */
export async function soakCampaign(options: SoakOptions): Promise<CampaignRun> {
  const server = await NatsServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'kevo-soak-'));
  const prefix = uniquePrefix('soak');
  const store = Store.open(join(dir, 'kevo.db'));
  let worker: WorkerChild | undefined;
  let transport: NatsTransport | undefined;
  try {
    worker = await WorkerChild.start({ url: server.url, name: `${prefix}-worker`, threads: options.threads, topology: { prefix }, announceJobs: false });
    const spec = parseSpec({
      problems: [{ op: 'matmul', shape: '1024x1024x1024' }], // 345k genomes: random sampling never runs dry
      strategy: 'random',
      population: options.population,
      budget: { evaluations: options.evaluations },
      device: TEST_DEVICE_CLASS.id,
      relaxedSimd: false,
      timing: { timingMs: 1 },
    });
    const campaignId = createCampaign(store, spec);
    const live = await NatsTransport.open({ servers: server.url }, { prefix, durable: campaignId, campaignId });
    transport = live;
    return await runCampaign(campaignId, {
      store,
      transport: live,
      log: silentLogger,
      onProgress: (progress) => options.onGeneration(progress, live),
    });
  } finally {
    await worker?.kill('SIGTERM');
    await transport?.close();
    store.close();
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
