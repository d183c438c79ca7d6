import { writeTestModels } from '../testkit/onnx-models.ts';

/** `npm run models [-- DIR]`: the two test models of `kevo tune` (an MLP with a 4-bit layer, a DS-CNN), built here, no downloads. */
const dir = process.argv[2] ?? 'models';
const paths = writeTestModels(dir);
process.stdout.write(`${paths.mlp}\n${paths.dscnn}\n`);
