/**
 * A verifier stage's finding: the kernel is wrong, not broken. `detail` reads
 * on its own ("C[3,17] = 4.2 but expected 5.1 ..."); `case` names the input
 * case that showed it ("uniform"), so the harness can say "numerics (uniform): ...".
 */
export class StageFailure extends Error {
  override readonly name = 'StageFailure';
  constructor(
    readonly detail: string,
    readonly inputCase?: string,
  ) {
    super(inputCase ? `(${inputCase}) ${detail}` : detail);
  }
}

/** Thrown between runs when the job's own deadline has passed, so a slow kernel ends as a result, not a kill. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}
