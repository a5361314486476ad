// Loading onnxruntime-node, the project's one native dependency. Two things are decided here, once,
// for every caller (extension, CLI, loop, tests):
//  - Whether this build carries onnxruntime for this platform. Each VSIX carries one platform's
//    binaries (scripts/package.mjs), and onnxruntime-node itself publishes binaries for five
//    platforms only; anywhere else the user gets a sentence saying so, never the loader's
//    "Cannot find module …onnxruntime_binding.node … Require stack".
//  - onnxruntime's own telemetry. Since 1.29 its Linux and macOS builds create
//    ~/.cache/Microsoft/DeveloperTools/.onnxruntime/ (a device id and an event queue: session
//    creation, model metadata, opsets, OS) and upload it to Microsoft. That is the user's data, not
//    ours to send: it stays off unless the host says the user allows usage telemetry.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import { PolicyError } from '../policy';

/**
 * onnxruntime's documented opt-out on Linux and macOS (microsoft/onnxruntime#27379): with it set to
 * 1 when the runtime initializes, no uploader, device id, event or cache file is created. It is
 * read from the process environment (getenv) once, when the first session initializes the
 * runtime, and latched for the life of the process. The Windows build has no such switch (its
 * events go to Windows' own diagnostic-data pipeline, ETW, under the OS's consent setting) and
 * onnxruntime-node exposes no DisableTelemetryEvents: setting the variable there is harmless.
 */
export const ORT_TELEMETRY_ENV = 'ORT_DISABLE_TELEMETRY';

/** The user's own value of the variable, before anything here touched it: a user opt-out stays. */
const userValue = isMainThread ? process.env[ORT_TELEMETRY_ENV] : undefined;
let allowed = false;
/** Whether onnxruntime telemetry was allowed when the first ONNX worker or session started (undefined: none yet). */
let latched: boolean | undefined;

/**
 * Whether onnxruntime may send its telemetry (default: no). The extension passes VS Code's
 * `env.isTelemetryEnabled` (true only at telemetry level "all"); the CLI never calls this.
 * Returns a sentence when the choice cannot take effect in this process any more: onnxruntime
 * read the variable when it started and keeps that decision until the process ends.
 */
export function setOnnxRuntimeTelemetry(allow: boolean): string | undefined {
  allowed = allow;
  if (latched === undefined || latched === allow) return undefined;
  return allow
    ? 'onnxruntime telemetry stays off until the window reloads (onnxruntime reads the setting once, when it starts)'
    : 'onnxruntime telemetry was on when onnxruntime started in this window and stays on until the window reloads (onnxruntime reads the setting once, when it starts)';
}

/** The current choice (an ONNX worker is told it at start: its own copy of this module starts at false). */
export function onnxRuntimeTelemetryAllowed(): boolean {
  return allowed;
}

/**
 * Puts the choice into the process environment, where onnxruntime's native code reads it. Call on
 * the main thread before an ONNX worker starts: a worker's process.env is its own copy, which
 * native code never sees (only the main thread's writes reach the real environment).
 */
export function applyOnnxRuntimeTelemetry(): void {
  if (!isMainThread) throw new Error('applyOnnxRuntimeTelemetry: call on the main thread (a worker cannot set the environment onnxruntime reads)');
  if (!allowed) process.env[ORT_TELEMETRY_ENV] = '1';
  else if (userValue === undefined) delete process.env[ORT_TELEMETRY_ENV];
  else process.env[ORT_TELEMETRY_ENV] = userValue;
  latched ??= process.env[ORT_TELEMETRY_ENV] !== '1';
}

/** vsce target names (`<platform>-<arch>`) of the binaries onnxruntime-node 1.30.0 publishes. */
export const ORT_PUBLISHED_TARGETS = ['linux-x64', 'linux-arm64', 'darwin-arm64', 'win32-x64', 'win32-arm64'] as const;

/** The onnxruntime-node package this build resolves, or undefined when there is none. */
function packageDir(): string | undefined {
  try {
    return dirname(require.resolve('onnxruntime-node/package.json'));
  } catch {
    return undefined;
  }
}

/** `<platform>-<arch>` of every binding the package at `dir` carries. */
export function carriedTargets(dir: string): string[] {
  const napi = join(dir, 'bin', 'napi-v6');
  if (!existsSync(napi)) return [];
  return readdirSync(napi).flatMap((p) =>
    readdirSync(join(napi, p)).filter((a) => existsSync(join(napi, p, a, 'onnxruntime_binding.node'))).map((a) => `${p}-${a}`),
  );
}

const ENDPOINT = 'use an endpoint policy (an OpenAI-compatible server)';

/**
 * Why onnxruntime cannot run on `platform`-`arch` with the package at `dir` (undefined: it can, as
 * far as files go). Reads the folder only: nothing native is loaded, so the extension host's thread
 * can ask before it starts a worker.
 */
export function missingRuntime(platform: string, arch: string, dir: string | undefined): string | undefined {
  const target = `${platform}-${arch}`;
  if (!dir) return `onnxruntime is not in this build of iTool Studio (no onnxruntime-node package beside it); reinstall iTool Studio, or ${ENDPOINT}`;
  if (existsSync(join(dir, 'bin', 'napi-v6', platform, arch, 'onnxruntime_binding.node'))) return undefined;
  const carried = carriedTargets(dir);
  const has = carried.length ? `it carries ${carried.join(', ')}` : 'it carries none';
  if (!(ORT_PUBLISHED_TARGETS as readonly string[]).includes(target)) {
    return `onnxruntime for ${target} is not in this build of iTool Studio (${has}), and onnxruntime-node publishes no binaries for ${target} (only ${ORT_PUBLISHED_TARGETS.join(', ')}); ${ENDPOINT}`;
  }
  return `onnxruntime for ${target} is not in this build of iTool Studio (${has}); install the VSIX for your platform (${target}), or ${ENDPOINT}`;
}

/** Throws a PolicyError saying why, when this build has no onnxruntime for this machine. */
export function checkOnnxRuntime(): void {
  const why = missingRuntime(process.platform, process.arch, packageDir());
  if (why) throw new PolicyError(why);
}

let loaded: typeof Ort | undefined;

/**
 * onnxruntime-node itself, loaded on first use (never at module load: the extension activates and
 * the CLI's other commands run without it). On the main thread the telemetry choice is applied
 * first; a worker relies on its parent having applied it (OnnxPolicy does, before starting it).
 */
export function loadOnnxRuntime(): typeof Ort {
  if (loaded) return loaded;
  if (isMainThread) applyOnnxRuntimeTelemetry();
  else if (!allowed && process.env[ORT_TELEMETRY_ENV] !== '1') {
    // This worker's environment is a copy of its parent's at start: without the variable there,
    // onnxruntime would start with telemetry on, and nothing a worker sets reaches it.
    throw new PolicyError(`internal: the ONNX worker was started before ${ORT_TELEMETRY_ENV} was set (call applyOnnxRuntimeTelemetry() first)`);
  }
  checkOnnxRuntime();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, and external to the bundle (scripts/build.mjs)
    loaded = require('onnxruntime-node') as typeof Ort;
  } catch (err) {
    // The files are there but the loader refused them (a C library too old, a missing system DLL):
    // its first line names the cause; the require stack after it is noise to a user.
    const first = String((err as Error)?.message ?? err).split('\n')[0];
    throw new PolicyError(`onnxruntime for ${process.platform}-${process.arch} could not be loaded (${first}); ${ENDPOINT}`);
  }
  return loaded;
}
