import type { Conv2dProblem } from '../../../genome/ops/conv/problem.ts';
import { naiveConvWat } from '../../../testkit/naive-conv-wat.ts';
import type { HostileKernel } from './hostile.ts';

/**
 * Hostile conv2d kernels: right on the corpus problem (8x8, 8 channels in
 * and out, 3x3, stride 1, valid padding) and wrong elsewhere, the way tiled
 * convolution kernels go wrong. The op's edge shapes (both paddings, both
 * strides, channel counts no multiple of 4) are what catch them, in the
 * shapes stage, each at the first edge shape it gets wrong.
 */
export const convHostileCorpus: readonly (Omit<HostileKernel, 'wat'> & { readonly wat: (p: Conv2dProblem) => string })[] = [
  {
    name: 'halo dropped',
    trick: 'clamps every tap into the image instead of reading zero padding: right wherever the window lies inside the image, so right under valid padding; the first edge shape with same padding has a halo',
    stage: 'shapes',
    reason: /^shapes \(n1h13w11c7k9r3s3\): Y\[0,0,0,\d+\] = \S+ but expected /,
    wat: (p) => naiveConvWat(p, { clampHalo: true }),
  },
  {
    name: 'stride rows mixed up',
    trick: 'steps the window one input row per output row whatever the stride (columns right): the same kernel at stride 1; the first stride-2 edge shape reads the wrong rows',
    stage: 'shapes',
    reason: /^shapes \(n1h13w11c7k9r3s3\): Y\[0,\d+,\d+,\d+\] = \S+ but expected /,
    wat: (p) => naiveConvWat(p, { rowStride: 1 }),
  },
  {
    name: 'last channel block skipped',
    trick: 'sums the input channels four at a time and drops the remainder: right when C is a multiple of 4 (the corpus problem has 8); the first edge shape has one channel',
    stage: 'shapes',
    reason: /^shapes \(n1h3w3c1k1r3s3\): Y\[0,0,0,0\] = 0 but expected /,
    wat: (p) => naiveConvWat(p, { channelBlock: 4 }),
  },
];
