// The one place the settings become a PolicySpec (src/core/model/policyFactory.ts): the configured
// policy, and any other model the extension opens (a round's trained policy for held-out
// evaluation, a model being chosen), so every one of them runs with the settings' execution
// provider and in-flight limit. Free of `vscode`: it takes the settings as a getter.
import type { EndpointPolicySpec, OnnxPolicySpec, PolicySpec } from '../core/model/policyFactory';
import type { SettingGetter } from './settingsTable';

/** An ONNX model folder, run where the settings say (itool.policy.onnx.executionProvider). */
export function onnxSpec(setting: SettingGetter, modelDir: string): OnnxPolicySpec {
  return { backend: 'onnx', modelDir, executionProvider: setting('itool.policy.onnx.executionProvider') };
}

/** A served model, with the settings' limit on requests in flight (itool.policy.maxInFlight). */
export function endpointSpec(setting: SettingGetter, baseURL: string, model: string, chatTemplate: string | undefined): EndpointPolicySpec {
  return { backend: 'endpoint', baseURL, model, chatTemplate, maxInFlight: setting('itool.policy.maxInFlight') };
}

/** The configured endpoint's URL and chat template ("" in the settings: none). */
export function configuredEndpoint(setting: SettingGetter): { baseURL?: string; chatTemplate?: string } {
  return { baseURL: setting('itool.policy.endpoint.baseURL').trim() || undefined, chatTemplate: setting('itool.policy.endpoint.chatTemplate').trim() || undefined };
}

/** The configured policy, or undefined when none is set (what the first-run pick is for). */
export function configuredPolicySpec(setting: SettingGetter): PolicySpec | undefined {
  if (setting('itool.policy.backend') === 'endpoint') {
    const { baseURL, chatTemplate } = configuredEndpoint(setting);
    const model = setting('itool.policy.endpoint.model').trim();
    return baseURL && model ? endpointSpec(setting, baseURL, model, chatTemplate) : undefined;
  }
  const modelDir = setting('itool.policy.onnx.modelDir').trim();
  return modelDir ? onnxSpec(setting, modelDir) : undefined;
}
