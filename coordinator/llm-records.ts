import { LlmStore } from './store/llm.ts';
import type { Store } from './store/store.ts';
import type { LlmCampaignRecords } from './strategies/llm-create.ts';

/** The LLM strategy's cache, spent budget, call log and recorder, bound to one campaign's rows in the store. */
export function llmRecords(store: Store, campaignId: string): LlmCampaignRecords {
  const llm = new LlmStore(store);
  return {
    cache: llm,
    spent: llm.usage(campaignId),
    onCall: (call) => llm.recordCall(campaignId, call),
    recorder: {
      savePrompt: (record) => llm.savePrompt(record),
      scorePrompt: (promptId, score) => llm.scorePrompt(campaignId, promptId, score),
      recordProposal: (p) => llm.recordProposal(campaignId, p),
      recordReview: (hash, review, o) => llm.recordReview(campaignId, hash, review, o),
      recordHarness: (hash, ok) => llm.recordHarness(campaignId, hash, ok),
    },
  };
}
