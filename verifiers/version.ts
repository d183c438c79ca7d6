/**
 * The verifier harness's version. Every kernel result records the version that
 * judged it, the cache answers only from the current one, and `kevo best` and
 * `kevo export` rank only kernels it passed: a harness made stricter must not
 * keep vouching for kernels an older one let through (`kevo reverify` re-judges them).
 *
 * The version is declared, and held to the code by a fingerprint: the sha256 of
 * HARNESS_SOURCES (the stages, their comparisons and the tolerances they apply).
 * test/verifiers/version.test.ts recomputes it and fails when it is not the
 * latest entry of HARNESS_HISTORY. To change the harness: make the change, run
 * that test, and append { version: last + 1, fingerprint: <the one it prints> }.
 * Never edit a shipped entry: stored results carry its version.
 */
export const HARNESS_SOURCES = [
  'verifiers/compare.ts',
  'verifiers/context.ts',
  'verifiers/determinism.ts',
  'verifiers/edges.ts',
  'verifiers/expected.ts',
  'verifiers/failure.ts',
  'verifiers/harness.ts',
  'verifiers/inputs.ts',
  'verifiers/kernel.ts',
  'verifiers/loophole.ts',
  'verifiers/measured.ts',
  'verifiers/numerics.ts',
  'verifiers/shapes.ts',
  'verifiers/smoke.ts',
  'verifiers/spotcheck.ts',
  'genome/ops/accuracy.ts',
  'genome/dtypes/compare.ts',
] as const;

/**
 * Version 1 is every result stored before versions were recorded (their
 * harness is not known exactly, so it has no fingerprint).
 */
export const HARNESS_HISTORY: readonly { readonly version: number; readonly fingerprint: string | null }[] = [
  { version: 1, fingerprint: null },
  { version: 2, fingerprint: '1ab7ad38863887ecb59271119910c430afc1db68dfc0cf4847ce2728f6e632e6' },
  // Typed tensors: inputs drawn per dtype, int outputs compared exactly, int edge cases (min, max, extremes, small).
  { version: 3, fingerprint: 'a6a0bfb4c6645f72c15c38301f1b27fbeddc57948beffd7111c1d900f7fd2333' },
  // A NaN magnitude (0 x Inf on a convolution's padding) accepts both the math's answer and NaN.
  { version: 4, fingerprint: 'a5f0cbeb82c0fd202f3498fe922813847152539de1c408bec266e7126e6325b2' },
  // Kernels that pack weights at load time: the pack runs when a weight changes, and a loophole round and a spot-check step redraw the other inputs only.
  // Inputs drawn a tensor at a time (one draw resolved per tensor, stored without per-element conversion), normals two per Box-Muller;
  // a spot check's nudge draws one element, not a whole input set.
  // A numeric accuracy (--accuracy 1e-2): max |C - ref| <= accuracy x the check's scale; i8 and w4 precisions (f32 range).
  // A float output past its dtype's largest finite value may be stored as the infinity of its sign (f16 outputs).
  // Precision f32-winograd: judged against the magnitude its op's error model names (conv2d: norm products), exact integers to 2^18.
  { version: 5, fingerprint: '96bc63eac22d73ec5385c4c1e9d2940bc0bacdc283784292621afc723aa078b1' },
  // Several outputs per op: every stage (smoke, checks, determinism, loophole, spot check) reads and judges each output; Kernel.readOutputs().
  // Ints of 16 bits or fewer (i16 C, i8 c_shift) have no impossible poison: their unwritten elements are judged by value only.
  { version: 6, fingerprint: 'a1730a1a20861036ffe51a3ff8b71c44ee050f74b527279f6543e14f2c3cdcc1' },
];

export const HARNESS_VERSION = HARNESS_HISTORY[HARNESS_HISTORY.length - 1]!.version;
