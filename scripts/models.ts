import { writeTestModels } from '../testkit/onnx-models.ts';

/** `npm run models [-- DIR]`: the test models of `kevo tune` (an MLP with a 4-bit layer, a DS-CNN, a MatMulInteger layer), built here, no downloads. */
const dir = process.argv[2] ?? 'models';
const paths = writeTestModels(dir);
process.stdout.write(`${Object.values(paths).join('\n')}\n`);
