// One way from a description of a policy to the policy: the CLI (its flags), the extension (its
// settings), the closed loop and held-out evaluation all describe the model as a PolicySpec and
// open it here, so a run's calibration, search and evaluation get the same runtime settings (the
// execution provider, the endpoint's in-flight limit) instead of each call site choosing its own.
// The spec is plain data (it is logged and shown); the API key travels beside it, never in it.
import type { Policy } from './policy';
import { OnnxPolicy } from './onnx/onnxPolicy';
import { RemotePolicy } from './openai/remotePolicy';
import { scrubUrl } from './openai/endpointUrl';

export const POLICY_BACKENDS = ['onnx', 'endpoint'] as const;
export type PolicyBackend = (typeof POLICY_BACKENDS)[number];
export const EXECUTION_PROVIDERS = ['cpu', 'cuda'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

/** A local ONNX export (Hugging Face / Optimum layout); executionProvider defaults to the CPU. */
export interface OnnxPolicySpec {
  backend: 'onnx';
  modelDir: string;
  executionProvider?: ExecutionProvider;
}

/**
 * An OpenAI-compatible server. chatTemplate: a tokenizer_config.json, model folder or Jinja file
 * (else the server's own template); the limits left out take RemotePolicy's defaults.
 */
export interface EndpointPolicySpec {
  backend: 'endpoint';
  baseURL: string;
  model: string;
  chatTemplate?: string;
  maxInFlight?: number;
  timeoutMs?: number;
  maxRetries?: number;
}

export type PolicySpec = OnnxPolicySpec | EndpointPolicySpec;

/** What a spec must not carry (it is shown and logged): the endpoint's key. */
export interface PolicySecrets {
  apiKey?: string;
}

/** A policy as opened; `warning` says when the runtime fell back (CUDA asked for, CPU given). */
export type OpenedPolicy = Policy & { readonly warning?: string };

/** The ONNX policy a spec describes (its own type: the loop and the CLI read its warning). */
export function openOnnxPolicy(spec: OnnxPolicySpec): Promise<OnnxPolicy> {
  return OnnxPolicy.open(spec.modelDir, { executionProvider: spec.executionProvider ?? 'cpu' });
}

/** The endpoint policy a spec describes; also what lists a server's models before one is chosen. */
export function endpointPolicy(spec: EndpointPolicySpec, secrets: PolicySecrets = {}): RemotePolicy {
  return new RemotePolicy({
    baseURL: spec.baseURL,
    model: spec.model,
    apiKey: secrets.apiKey,
    chatTemplatePath: spec.chatTemplate,
    maxInFlight: spec.maxInFlight,
    timeoutMs: spec.timeoutMs,
    maxRetries: spec.maxRetries,
  });
}

/** Opens the policy `spec` describes; throws (a PolicyError for what the user can fix) if it cannot. */
export async function openPolicy(spec: PolicySpec, secrets: PolicySecrets = {}): Promise<OpenedPolicy> {
  return spec.backend === 'onnx' ? openOnnxPolicy(spec) : endpointPolicy(spec, secrets);
}

/** The policy as a message names it (an endpoint URL without its credentials). */
export function describePolicy(spec: PolicySpec): string {
  return spec.backend === 'onnx' ? spec.modelDir : `${spec.model} at ${scrubUrl(spec.baseURL)}`;
}
