// Run in a child process by test/unit/onnxRuntime.test.ts: opens a tiny generated model with
// OnnxPolicy (the worker thread, as the CLI and the extension do), scores one answer, keeps the
// model open HOLD_MS milliseconds (onnxruntime uploads its queued telemetry on a timer, about 10 s
// after it starts: a process that exits at once would never show an upload), closes. Prints one
// JSON line.
//   node --import tsx onnxSessionChild.ts default|allowed MODEL_DIR
import { OnnxPolicy } from '../../src/core/model/onnx/onnxPolicy';
import { setOnnxRuntimeTelemetry } from '../../src/core/model/onnx/runtime';

async function main(): Promise<void> {
  const [mode, modelDir] = process.argv.slice(2);
  // `allowed` is what the extension does at VS Code telemetry level "all"; `default` is the CLI.
  if (mode === 'allowed') setOnnxRuntimeTelemetry(true);
  const policy = await OnnxPolicy.open(modelDir);
  const [scored] = await policy.score([{ prompt: 'Hello', response: ' world' }]);
  await new Promise((r) => setTimeout(r, Number(process.env.HOLD_MS ?? 0)));
  await policy.close();
  process.stdout.write(JSON.stringify({ mode, tokens: scored.tokens.length, env: process.env.ORT_DISABLE_TELEMETRY ?? null }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
