// The errors a RemotePolicy (remotePolicy.ts) fails with beyond a plain PolicyError, each telling
// a run whether to stop: a request the server refused, an endpoint the circuit breaker has given
// up on, an answer with logprobs no model gives. Apart from the policy so that the request side
// (endpointClient.ts) and callers (`itool calibrate`) name them without the whole policy.
import { PolicyError } from '../policy';

/**
 * An HTTP error the server answered with, not worth retrying (400, 401, 404, 422, …). `fatal`
 * when it is about the endpoint, not the request (a rejected key, no such model): a run stops.
 */
export class ServerRejectedError extends PolicyError {
  constructor(message: string, readonly status: number, readonly serverMessage: string, readonly fatal = false) {
    super(message);
    this.name = 'ServerRejectedError';
  }
}

/** The circuit breaker is open: the server failed request after request, or rejected the key. A run stops. */
export class EndpointUnavailableError extends PolicyError {
  readonly fatal = true;
  constructor(message: string) {
    super(message);
    this.name = 'EndpointUnavailableError';
  }
}

/** The server answered logprobs no model gives (not finite, above 0, missing), twice. Fails the sample, not the run. */
export class InvalidLogprobsError extends PolicyError {
  readonly kind = 'invalid-logprobs';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLogprobsError';
  }
}
