import { createInterface } from 'node:readline';
import { Store } from '../../../coordinator/store/store.ts';
import { job, okResult, wasmGenome } from './results.ts';

/**
 * One process of the concurrency tests: loads everything, says "ready", and when stdin says
 * "go" (so that all such processes start together) opens the database argv[2]; with a campaign
 * id argv[3] and a count argv[4], it then writes that many genomes and results into a new campaign.
 */
const [path, campaignId, count] = process.argv.slice(2);
process.stdout.write('ready\n');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));
const store = Store.open(path!);
if (campaignId) {
  store.createCampaign({ id: campaignId, spec: {}, strategy: 'random' });
  for (let i = 0; i < Number(count); i++) {
    const genome = wasmGenome(1 + (i % 4));
    store.recordGenome({ genome, campaignId, parents: [], operator: 'test' });
    store.ingest(okResult(job(`${campaignId}-${i}`, campaignId, genome), { medianMs: 1 + i }));
  }
}
store.close();
process.stdout.write('done\n');
