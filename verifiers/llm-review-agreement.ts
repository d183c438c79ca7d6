import type { ReviewVerdict } from '../protocol/result.ts';

/** A review next to what the staged harness later decided about the same source. */
export interface ReviewPair {
  readonly verdict: ReviewVerdict['verdict'];
  readonly harnessOk: boolean;
}

/**
 * How well the LLM reviewer agrees with the harness, the final judge. The
 * positive class is "this kernel is bad": precision is the share of the
 * reviewer's fails the harness also rejected (a gate with low precision throws
 * good kernels away), recall the share of harness rejections the reviewer
 * caught. `unsure` answers count in neither; null where a ratio has no cases.
 */
export interface ReviewAgreement {
  readonly reviewed: number;
  readonly unsure: number;
  readonly truePositives: number;
  readonly falsePositives: number;
  readonly falseNegatives: number;
  readonly trueNegatives: number;
  readonly precision: number | null;
  readonly recall: number | null;
  readonly accuracy: number | null;
}

export function reviewAgreement(pairs: readonly ReviewPair[]): ReviewAgreement {
  let unsure = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const { verdict, harnessOk } of pairs) {
    if (verdict === 'unsure') unsure++;
    else if (verdict === 'fail') harnessOk ? fp++ : tp++;
    else harnessOk ? tn++ : fn++;
  }
  const ratio = (num: number, den: number) => (den === 0 ? null : num / den);
  return {
    reviewed: pairs.length,
    unsure,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: tn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    accuracy: ratio(tp + tn, tp + fp + fn + tn),
  };
}
