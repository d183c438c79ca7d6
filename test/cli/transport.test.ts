import { describe, expect, it } from 'vitest';
import { openTransport } from '../../cli/transport.ts';
import { capturingLogger, levels } from '../helpers/log.ts';
import { forever, sourceJob } from '../worker/jobs.ts';

describe('the embedded transport the CLI opens', () => {
  it('hands the command logger down to the worker pool: a deadline kill is logged with its job id', async () => {
    const { log, lines } = capturingLogger('info');
    const transport = await openTransport({}, { backend: 'wasm', threads: 1, relaxedSimd: false, campaignId: 'test' }, log);
    try {
      const job = sourceJob(forever, { budgets: { deadlineMs: 1500, timingMs: 20, minSamples: 3, maxSamples: 8 } });
      await transport.submit(job);
      for await (const result of transport.results()) {
        expect(result).toMatchObject({ jobId: job.jobId, status: 'timeout' });
        break;
      }
      expect(lines).toContainEqual(expect.objectContaining({ level: levels.warn, backend: 'wasm', jobId: job.jobId, msg: expect.stringMatching(/deadline/) }));
    } finally {
      await transport.close();
    }
  });
});
