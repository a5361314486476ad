// The options that choose the policy, shared by the commands that run one (calibrate, explore):
// an ONNX folder (--model, --ep) or an OpenAI-compatible endpoint (--endpoint, --served-model,
// --chat-template, --api-key-env, --timeout, --max-retries). One table and one type, so the commands
// cannot drift apart in what they accept.
import { numberArg, UsageError, whole } from './args';

export const POLICY_OPTIONS = {
  model: { type: 'string' },
  endpoint: { type: 'string' },
  'served-model': { type: 'string' },
  'chat-template': { type: 'string' },
  'api-key-env': { type: 'string' },
  ep: { type: 'string' },
  timeout: { type: 'string' },
  'max-retries': { type: 'string' },
} as const;

/** Refuses an execution provider other than cpu or cuda, naming the command. */
export function checkEp(command: string, ep: string | undefined): asserts ep is 'cpu' | 'cuda' | undefined {
  if (ep !== undefined && ep !== 'cpu' && ep !== 'cuda') throw new UsageError(`${command}: --ep must be cpu or cuda, not "${ep}"`);
}

/** The parsed policy options, as calibrate, explore and `round evaluate` take them. */
export interface PolicyFlags {
  model?: string;
  endpoint?: string;
  servedModel?: string;
  chatTemplate?: string;
  apiKeyEnv?: string;
  executionProvider?: 'cpu' | 'cuda';
  /** --timeout: seconds per request attempt to an endpoint (default 300). */
  timeout?: number;
  /** --max-retries: retries of a failed endpoint request (default 5). */
  maxRetries?: number;
}

export function policyArgs(command: string, values: Partial<Record<keyof typeof POLICY_OPTIONS, string>>): PolicyFlags {
  checkEp(command, values.ep);
  return {
    model: values.model,
    endpoint: values.endpoint,
    servedModel: values['served-model'],
    chatTemplate: values['chat-template'],
    apiKeyEnv: values['api-key-env'],
    executionProvider: values.ep,
    timeout: numberArg(command, 'timeout', values.timeout, (x) => x > 0 && Number.isFinite(x)),
    maxRetries: numberArg(command, 'max-retries', values['max-retries'], whole(0)),
  };
}
