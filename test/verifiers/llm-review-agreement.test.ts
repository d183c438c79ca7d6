import { describe, expect, it } from 'vitest';
import { reviewAgreement, type ReviewPair } from '../../verifiers/llm-review-agreement.ts';

const pairs = (spec: [ReviewPair['verdict'], boolean, number][]): ReviewPair[] =>
  spec.flatMap(([verdict, harnessOk, n]) => Array.from({ length: n }, () => ({ verdict, harnessOk })));

describe('reviewAgreement', () => {
  it('counts a reviewer fail on a kernel the harness rejected as a true positive', () => {
    const a = reviewAgreement(pairs([['fail', false, 3], ['fail', true, 1], ['pass', false, 2], ['pass', true, 4], ['unsure', false, 5]]));
    expect(a).toEqual({
      reviewed: 15,
      unsure: 5,
      truePositives: 3,
      falsePositives: 1,
      falseNegatives: 2,
      trueNegatives: 4,
      precision: 3 / 4,
      recall: 3 / 5,
      accuracy: 7 / 10,
    });
  });

  it('gives null ratios when there are no cases to divide by', () => {
    expect(reviewAgreement([])).toMatchObject({ precision: null, recall: null, accuracy: null });
    expect(reviewAgreement(pairs([['pass', true, 2]]))).toMatchObject({ precision: null, recall: null, accuracy: 1 });
  });
});
