import { describe, expect, it } from 'vitest';
import { LlmStore } from '../../../coordinator/store/llm.ts';
import type { LlmCall } from '../../../llm/ledger.ts';
import { promptRecord, type PromptGenome } from '../../../llm/prompt.ts';
import { reviewAgreement } from '../../../verifiers/llm-review-agreement.ts';
import { useTempStore } from './temp-store.ts';

const genome = (role: string): PromptGenome => ({
  task: 'edit',
  role,
  guidance: 'g',
  playbook: ['keep accumulators in registers'],
  exemplars: { best: 2, diverse: 1, failed: 1 },
});

const call = (over: Partial<LlmCall>): LlmCall => ({
  purpose: 'edit',
  model: 'm',
  requestHash: 'h',
  cached: false,
  ok: true,
  promptTokens: 10,
  completionTokens: 5,
  cost: 0.5,
  retries: 0,
  ms: 3,
  ...over,
});

describe('LlmStore', () => {
  const t = useTempStore();
  const campaign = (id = 'c1') => t.store.createCampaign({ id, spec: {}, strategy: 'llm' });

  it('keeps cached replies by key, refusals and nulls included', () => {
    const llm = new LlmStore(t.store);
    expect(llm.get('k')).toBeUndefined();
    const reply = { model: 'm', requestHash: 'r', content: null, refusal: 'no', finishReason: 'stop', promptTokens: 3, completionTokens: 0, cost: 0.01 };
    llm.put('k', reply);
    llm.put('k', { ...reply, refusal: 'second write ignored' });
    expect(llm.get('k')).toEqual(reply);
  });

  it('stores prompts with lineage and per-campaign scores, and lists and shows them', () => {
    campaign('c1');
    campaign('c2');
    const llm = new LlmStore(t.store);
    const seed = promptRecord(genome('seed'), [], 'seed');
    const other = promptRecord(genome('other'), [], 'seed');
    const child = promptRecord(genome('child'), [seed, other], 'meta-crossover');
    for (const r of [seed, other, child, seed]) llm.savePrompt(r);
    llm.scorePrompt('c1', seed.id, { proposals: 4, valid: 3, bestSpeedup: 1.2 });
    llm.scorePrompt('c1', seed.id, { proposals: 5, valid: 4, bestSpeedup: 1.3 });
    llm.scorePrompt('c2', seed.id, { proposals: 2, valid: 0, bestSpeedup: null });
    llm.scorePrompt('c1', child.id, { proposals: 1, valid: 1, bestSpeedup: 2 });
    llm.recordProposal('c1', { promptId: seed.id, task: 'edit', genomeHash: 'g1' });
    llm.recordProposal('c1', { promptId: seed.id, task: 'edit', failure: 'schema', reason: 'bad' });

    expect(llm.prompt(child.id)).toEqual(child);
    expect(llm.campaignPrompts('c1').map((p) => [p.record.id, p.score.valid])).toEqual(
      expect.arrayContaining([[seed.id, 4], [child.id, 1]]),
    );
    const list = llm.promptSummaries();
    expect(list[0]).toMatchObject({ id: child.id, generation: 1, parents: [seed.id, other.id], operator: 'meta-crossover' });
    expect(list.find((p) => p.id === seed.id)).toMatchObject({ proposals: 7, valid: 4, bestSpeedup: 1.3, validityRate: 4 / 7 });
    expect(list.find((p) => p.id === other.id)).toMatchObject({ proposals: 0, bestSpeedup: null });

    const detail = llm.promptDetail(seed.id.slice(0, 6))!;
    expect(detail.children).toEqual([child.id]);
    expect(detail.genome).toEqual(seed.genome);
    expect(detail.campaigns.map((c) => c.campaignId).sort()).toEqual(['c1', 'c2']);
    expect(detail.proposalsMade).toEqual([
      expect.objectContaining({ genomeHash: 'g1', failure: undefined }),
      expect.objectContaining({ genomeHash: undefined, failure: 'schema', reason: 'bad' }),
    ]);
    expect(llm.promptDetail('zzzz')).toBeUndefined();
  });

  it('sums a campaign\'s calls into usage and groups its failures', () => {
    campaign();
    const llm = new LlmStore(t.store);
    expect(llm.usage('c1')).toMatchObject({ calls: 0, cost: 0 });
    llm.recordCall('c1', call({ retries: 2 }));
    llm.recordCall('c1', call({ ok: false, failure: 'timeout', reason: 'slow', promptTokens: 0, completionTokens: 0, cost: 0 }));
    llm.recordCall('c1', call({ ok: false, failure: 'schema', reason: 'x' }));
    llm.recordCall('c1', call({ cached: true, promptTokens: 0, completionTokens: 0, cost: 0 }));
    expect(llm.usage('c1')).toEqual({ calls: 4, failures: 2, cacheHits: 1, retries: 2, promptTokens: 20, completionTokens: 10, cost: 1 });
    expect(llm.failures('c1')).toEqual([{ failure: 'schema', count: 1 }, { failure: 'timeout', count: 1 }]);
  });

  it('pairs reviews with the harness verdicts for agreement', () => {
    campaign();
    const llm = new LlmStore(t.store);
    llm.recordReview('c1', 'g1', { verdict: 'fail', reasons: ['writes A'], suspectedLoophole: 'writes an input' }, { gate: false });
    llm.recordReview('c1', 'g2', { verdict: 'pass', reasons: [] }, { gate: false });
    llm.recordReview('c1', 'g3', { verdict: 'pass', reasons: [] }, { gate: false });
    llm.recordHarness('c1', 'g1', false);
    llm.recordHarness('c1', 'g2', true);
    llm.recordHarness('c1', 'unreviewed', true);
    expect(llm.reviewPairs('c1')).toEqual([
      { verdict: 'fail', harnessOk: false },
      { verdict: 'pass', harnessOk: true },
    ]);
    expect(reviewAgreement(llm.reviewPairs('c1'))).toMatchObject({ precision: 1, recall: 1 });
  });

  it('refuses rows for a campaign that does not exist', () => {
    const llm = new LlmStore(t.store);
    expect(() => llm.recordCall('nope', call({}))).toThrow(/FOREIGN KEY/);
  });
});
