// A STAND-IN for an OpenAI-compatible model server (vLLM-like) whose "model" is scripted: real
// HTTP on 127.0.0.1, the real /v1/models and /v1/completions request and response JSON (text
// completions with `logprobs: {tokens, token_logprobs, text_offset, top_logprobs}`, `n` choices,
// `finish_reason` "stop" or "length"), and behind it a ScriptedPolicy (scriptedPolicy.ts) that
// knows a few whole responses per prompt and continues any prefix along one of them. Tests use it
// where a search must meet a policy whose answers are known in advance (planted errors), through
// the same RemotePolicy a user's vLLM gets.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScriptedPolicy } from './scriptedPolicy';

export class ScriptedServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly policy: ScriptedPolicy,
    readonly modelName: string,
  ) {}
  /** Completion requests served. */
  requests = 0;

  static async start(policy: ScriptedPolicy, modelName = 'scripted-model'): Promise<ScriptedServer> {
    // The handler needs the instance, which needs the port the listening server got.
    const holder: { self?: ScriptedServer } = {};
    const server = createServer((req, res) => void holder.self!.handle(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    holder.self = new ScriptedServer(server, `http://127.0.0.1:${port}/v1`, policy, modelName);
    return holder.self;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/v1/models') return send(200, { object: 'list', data: [{ id: this.modelName, object: 'model', owned_by: 'scripted' }] });
    if (req.method !== 'POST' || req.url !== '/v1/completions') return send(404, { error: { message: `no route ${req.method} ${req.url}`, type: 'not_found' } });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: { prompt?: unknown; n?: number; max_tokens?: number; seed?: number; model?: string };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(400, { error: { message: 'malformed JSON', type: 'invalid_request_error' } });
    }
    if (typeof body.prompt !== 'string') return send(400, { error: { message: 'this stand-in takes text prompts', type: 'invalid_request_error' } });
    this.requests++;
    // The request holds prompt + prefix as one text: split it at the longest prompt the script knows.
    const text = body.prompt;
    const prompt = [...this.policy.candidates.keys()].filter((p) => text.startsWith(p)).sort((a, b) => b.length - a.length)[0] ?? text;
    const continuations = await this.policy.sample(prompt, text.slice(prompt.length), { n: body.n ?? 1, maxTokens: body.max_tokens ?? 16, temperature: 1, seed: body.seed });
    send(200, {
      id: `cmpl-${this.requests}`,
      object: 'text_completion',
      created: 0,
      model: body.model ?? this.modelName,
      choices: continuations.map((c, index) => {
        let offset = text.length;
        const text_offset = c.tokens.map((t) => ((offset += t.token.length), offset - t.token.length));
        return {
          index,
          text: c.text,
          finish_reason: c.finishReason,
          logprobs: { tokens: c.tokens.map((t) => t.token), token_logprobs: c.tokens.map((t) => t.logprob), text_offset, top_logprobs: c.tokens.map((t) => ({ [t.token]: t.logprob })) },
        };
      }),
      usage: { prompt_tokens: text.length, completion_tokens: continuations.reduce((s, c) => s + c.tokens.length, 0), total_tokens: 0 },
    });
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
