import { describe, expect, it } from 'vitest';
import { genomeHash } from '../../../genome/genome.ts';
import { kernelId } from '../../../coordinator/store/kernel-id.ts';
import { PROTOCOL_VERSION } from '../../../protocol/job.ts';
import type { KernelResult } from '../../../protocol/result.ts';
import { cpuDevice, job, okResult, rejectedResult, wasmGenome } from './results.ts';
import { useTempStore } from './temp-store.ts';

const t = useTempStore();

function campaign(id = 'c1') {
  t.store.createCampaign({ id, spec: { op: 'matmul', shape: '512x512x512' }, strategy: 'random' });
  return id;
}

describe('campaigns', () => {
  it('creates a running campaign named by its id unless given a name', () => {
    campaign('c1');
    const row = t.store.campaign('c1')!;
    expect(row).toMatchObject({ id: 'c1', name: 'c1', strategy: 'random', status: 'running', evaluations: 0, failures: 0 });
    expect(row.spec).toEqual({ op: 'matmul', shape: '512x512x512' });
    expect(row.checkpoint).toBeUndefined();
    expect(row.deviceClassId).toBeUndefined();
    expect(t.store.campaign('nope')).toBeUndefined();
  });

  it('refuses a second campaign with the same id', () => {
    campaign('c1');
    expect(() => campaign('c1')).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
  });

  it('round-trips a checkpoint and keeps fields a patch leaves out', () => {
    campaign('c1');
    const checkpoint = { population: [wasmGenome(2)], rng: [1, 2, 3, 4], generation: 7, note: 'ünïcode' };
    t.store.updateCampaign('c1', { checkpoint, deviceClassId: cpuDevice.id });
    t.store.updateCampaign('c1', { status: 'stopped' });
    const row = t.store.campaign('c1')!;
    expect(row.checkpoint).toEqual(checkpoint);
    expect(row.status).toBe('stopped');
    expect(row.deviceClassId).toBe(cpuDevice.id);
  });

  it('updating an unknown campaign is NOT_FOUND', () => {
    expect(() => t.store.updateCampaign('nope', { status: 'done' })).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('lists newest first with evaluation counts and bests', () => {
    campaign('old');
    campaign('new');
    const jobs = [1, 2, 3].map((mr) => job(`j${mr}`, 'new', wasmGenome(mr)));
    t.store.ingest(okResult(jobs[0]!, { medianMs: 5 }));
    t.store.ingest(okResult(jobs[1]!, { medianMs: 2 }));
    t.store.ingest(rejectedResult(jobs[2]!));
    const rows = t.store.campaigns();
    expect(rows.map((r) => r.id)).toEqual(['new', 'old']);
    expect(rows[0]).toMatchObject({ evaluations: 3, failures: 1, bestSpeedup: 5, bestGflops: 268.435456 / 2 });
    expect(rows[1]).toMatchObject({ evaluations: 0, failures: 0, bestSpeedup: undefined, bestGflops: undefined });
  });

  it('takes the best speedup and the GFLOP/s of that same evaluation, not the most GFLOP/s of another', () => {
    campaign('c');
    // fewer GFLOP/s but timed against a slower baseline: the higher speedup, so the best
    t.store.ingest(okResult(job('fast-ms', 'c', wasmGenome(1)), { medianMs: 2, baselineMedianMs: 4 }));
    t.store.ingest(okResult(job('high-speedup', 'c', wasmGenome(2)), { medianMs: 5, baselineMedianMs: 20 }));
    expect(t.store.campaign('c')).toMatchObject({ bestSpeedup: 4, bestGflops: 268.435456 / 5 });
  });
});

describe('genomes', () => {
  it('stores a genome once and keeps the first lineage per campaign', () => {
    campaign('a');
    campaign('b');
    const genome = wasmGenome(3);
    const hash = t.store.recordGenome({ genome, campaignId: 'a', parents: ['p1', 'p2'], operator: 'crossover' });
    expect(hash).toBe(genomeHash(genome));
    expect(t.store.recordGenome({ genome, campaignId: 'a', parents: [], operator: 'sample' })).toBe(hash);
    t.store.recordGenome({ genome, campaignId: 'b', parents: [], operator: 'sample' });
    expect(t.store.lineage(hash)).toEqual([
      { campaignId: 'a', parents: ['p1', 'p2'], operator: 'crossover' },
      { campaignId: 'b', parents: [], operator: 'sample' },
    ]);
  });

  it('a genome for an unknown campaign is NOT_FOUND', () => {
    expect(() => t.store.recordGenome({ genome: wasmGenome(1), campaignId: 'nope', parents: [], operator: 'sample' })).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});

describe('jobs and ingest', () => {
  it('keeps submitted jobs pending, in order, until their result is ingested', () => {
    campaign('c1');
    campaign('c2');
    const jobs = [3, 1, 2].map((mr) => job(`j${mr}`, 'c1', wasmGenome(mr)));
    for (const j of jobs) t.store.recordJob(j);
    t.store.recordJob(jobs[0]!);
    t.store.recordJob(job('other', 'c2', wasmGenome(1)));
    expect(t.store.pendingJobs('c1')).toEqual(jobs);
    t.store.ingest(okResult(jobs[1]!, { medianMs: 3 }));
    expect(t.store.pendingJobs('c1')).toEqual([jobs[0], jobs[2]]);
    expect(t.store.pendingJobs('c2').map((j) => j.jobId)).toEqual(['other']);
  });

  it('knows which pending jobs a transport accepted, so resume publishes only the others', () => {
    campaign('c1');
    const jobs = [job('a', 'c1', wasmGenome(1)), job('b', 'c1', wasmGenome(2)), job('c', 'c1', wasmGenome(3))];
    for (const j of jobs) t.store.recordJob(j);
    t.store.markPublished('a');
    t.store.markPublished('b');
    expect(t.store.publishedPendingJobIds('c1')).toEqual(new Set(['a', 'b']));
    t.store.ingest(okResult(jobs[0]!, { medianMs: 3 }));
    expect(t.store.publishedPendingJobIds('c1')).toEqual(new Set(['b']));
  });

  it('ingests a job id once: a redelivered or conflicting result changes nothing', () => {
    campaign('c1');
    const j = job('j1', 'c1', wasmGenome(1));
    const result = okResult(j, { medianMs: 4 });
    expect(t.store.ingest(result)).toBe(true);
    expect(t.store.ingest(result)).toBe(false);
    expect(t.store.ingest(okResult(j, { medianMs: 1, text: '(module)' }))).toBe(false);
    const rows = t.store.evaluations('c1');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.timing?.medianMs).toBe(4);
    expect(t.store.kernel(kernelId({ language: 'wat', text: '(module)' }))).toBeUndefined();
  });

  it('reads back what it ingested', () => {
    campaign('c1');
    const measuredError = { ofTolerance: 0.031, maxAbs: 2.4e-7, maxRel: 1.5e-6, elements: 4096 };
    const result = okResult(job('j1', 'c1', wasmGenome(2)), { medianMs: 2.5, measuredError });
    t.store.ingest(result);
    const [row] = t.store.evaluations('c1');
    expect(row).toMatchObject({
      jobId: 'j1',
      campaignId: 'c1',
      problemKey: 'matmul:512x512x512:f32',
      problem: result.problem,
      genomeHash: genomeHash(result.genome),
      genome: result.genome,
      deviceClassId: cpuDevice.id,
      kernelId: kernelId(result.kernel!),
      status: 'ok',
      stage: undefined,
      reason: undefined,
      timing: result.timing,
      measuredError,
      verdicts: result.verdicts,
      worker: 'test-worker',
      elapsedMs: 120,
    });
  });

  it('reads back the load-time pack time of a kernel that packs its weights, apart from its median (migration 12)', () => {
    campaign('c1');
    const result = okResult(job('j1', 'c1', wasmGenome(2)), { medianMs: 2.5 });
    t.store.ingest({ ...result, timing: { ...result.timing!, prepareMs: 1.25 } });
    expect(t.store.evaluations('c1')[0]!.timing).toEqual({ ...result.timing, prepareMs: 1.25 });
  });

  it('stores a dead letter with its reason and no device, kernel or timing', () => {
    campaign('c1');
    const j = job('j1', 'c1', wasmGenome(1));
    const deadLetter: KernelResult = {
      v: PROTOCOL_VERSION,
      kind: 'kernel',
      jobId: j.jobId,
      campaignId: 'c1',
      problem: j.problem,
      genome: j.genome,
      status: 'dead_letter',
      stage: 'delivery',
      reason: 'gave up after 5 deliveries',
      verdicts: [],
      worker: 'coordinator',
      elapsedMs: 0,
    };
    t.store.recordJob(j);
    expect(t.store.ingest(deadLetter)).toBe(true);
    expect(t.store.evaluations('c1')[0]).toMatchObject({
      status: 'dead_letter',
      reason: 'gave up after 5 deliveries',
      deviceClassId: undefined,
      kernelId: undefined,
      timing: undefined,
    });
    expect(t.store.pendingJobs('c1')).toEqual([]);
    expect(t.store.campaign('c1')).toMatchObject({ evaluations: 1, failures: 1 });
  });

  it('a result for an unknown campaign is NOT_FOUND and stores nothing', () => {
    campaign('c1');
    const result = okResult(job('j1', 'nope', wasmGenome(1)), { medianMs: 1 });
    expect(() => t.store.ingest(result)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(t.store.devices()).toEqual([]);
    expect(t.store.kernel(kernelId(result.kernel!))).toBeUndefined();
  });

  it('a throw inside transaction() rolls back everything in it', () => {
    expect(() =>
      t.store.transaction(() => {
        campaign('c1');
        t.store.recordDevice(cpuDevice);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(t.store.campaigns()).toEqual([]);
    expect(t.store.devices()).toEqual([]);
  });
});
