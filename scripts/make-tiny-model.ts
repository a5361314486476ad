// `node --import tsx scripts/make-tiny-model.ts DIR`: a tiny random-weight decoder in the Hugging
// Face ONNX export layout, so the demo can run calibration with no model to download. Its
// perplexities are meaningless (random weights); it shows the workflow, not a result.
import { writeTinyModel } from '../src/core/model/testModels';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: make-tiny-model.ts DIR');
  process.exit(2);
}
void writeTinyModel(dir, { layers: 2, hidden: 64, heads: 4, withKvCache: true, seed: 1 }).then((m) => {
  console.error(`[make-tiny-model] ${m.parameters} parameters in ${dir}`);
});
