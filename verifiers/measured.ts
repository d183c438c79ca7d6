import type { MeasuredError } from '../protocol/result.ts';

/**
 * Accumulates the error of every element a check judged by tolerance, across
 * the stages and spot checks of one job, into the result's MeasuredError.
 */
export class ErrorTally {
  private ofTolerance = 0;
  private maxAbs = 0;
  private maxRel = 0;
  private elements = 0;

  /** `typical` when the inputs were N(0, 1) draws: only then do the absolute and relative errors count. */
  add(err: number, limit: number, want: number, typical: boolean): void {
    this.elements++;
    // A zero limit is met only by a zero error (checked before): no budget used.
    if (limit > 0) this.ofTolerance = Math.max(this.ofTolerance, err / limit);
    if (!typical) return;
    this.maxAbs = Math.max(this.maxAbs, err);
    if (want !== 0) this.maxRel = Math.max(this.maxRel, err / Math.abs(want));
  }

  merge(other: ErrorTally): void {
    this.ofTolerance = Math.max(this.ofTolerance, other.ofTolerance);
    this.maxAbs = Math.max(this.maxAbs, other.maxAbs);
    this.maxRel = Math.max(this.maxRel, other.maxRel);
    this.elements += other.elements;
  }

  /** Undefined when no element was judged by tolerance. */
  measured(): MeasuredError | undefined {
    if (this.elements === 0) return undefined;
    return { ofTolerance: this.ofTolerance, maxAbs: this.maxAbs, maxRel: this.maxRel, elements: this.elements };
  }
}
