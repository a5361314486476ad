// `itool reward serve`: the checker as a reward service for online RL trainers (TRL's
// GRPOTrainer, verl). The service itself is in the core (src/core/reward/service.ts); this is its
// command line: arguments, the token from the environment, start-up and shutdown.
import { existsSync } from 'node:fs';
import { isDir, openCheckSources } from '../core/toolcall/checkSources';
import { defaultCacheDir } from '../core/toolcall/questionCache';
import { formatArg, numberArg, turnsArg, UsageError, whole } from './args';
import { defineCommand } from './command';

export const DEFAULT_REWARD_PORT = 8765;

export const REWARD_USAGE = `  itool reward serve --dataset DATASET [--host 127.0.0.1] [--port ${DEFAULT_REWARD_PORT}] [--token-env VAR]
                  [--answers A] [--format FORMAT] [--turns each|last] [--max-body-mb 16] [--no-cache]
      Serve the checker as a reward: POST /v1/reward with [{"id", "completion"}, …] (ids of
      DATASET: any dataset, or a folder of BFCL question files), or samples inline ({"completion",
      "tools", "possible_answers" | "reference" | "accepted_answers"}), answers
      [{"score", "valid", "errors", "parts": {"format", "function", "parameter_names", "values"}}, …]
      in order; score is itool check's. Binds 127.0.0.1 unless --host says otherwise; --port 0
      picks a free port. --token-env VAR: every request needs "Authorization: Bearer $VAR" (the
      token is read from that environment variable, never from the command line). Runs until
      interrupted (SIGINT, SIGTERM). BFCL question files are read through the cache itool check
      keeps (ITOOL_CACHE_DIR; --no-cache reads them afresh).
`;

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

/** `itool reward serve`: the arguments checked, then the service, until a signal stops it. */
export const rewardCli = defineCommand({
  name: 'reward',
  label: 'reward serve',
  usage: REWARD_USAGE,
  options: {
    dataset: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'token-env': { type: 'string' },
    answers: { type: 'string' },
    format: { type: 'string' },
    turns: { type: 'string' },
    'max-body-mb': { type: 'string' },
    'no-cache': { type: 'boolean' },
  },
  prepare(args) {
    const [sub, ...rest] = args;
    if (sub !== 'serve') throw new UsageError(sub === undefined ? 'reward: say what to do: reward serve --dataset DATASET' : `reward: unknown subcommand "${sub}" (reward serve --dataset DATASET)`);
    // Said before parsing, so that no message repeats what followed --token.
    if (rest.some((a) => /^--(token|api-key|bearer)(=|$)/.test(a))) {
      throw new UsageError('reward serve: a token is never taken from the command line (process lists and shell history show it): put it in an environment variable and give --token-env VAR');
    }
    return rest;
  },
  async run(values, positionals) {
    if (positionals.length) throw new UsageError(`reward serve: unexpected ${JSON.stringify(positionals[0])} (the dataset goes after --dataset)`);
    if (!values.dataset) throw new UsageError('reward serve: --dataset DATASET is required (a dataset file, or a folder of BFCL question files)');
    const host = values.host ?? '127.0.0.1';
    // node:net and node:http (the service) load only here: `itool check` shares this bundle and
    // starts without them (their loading was a thirtieth of a BFCL check).
    const { isIP } = await import('node:net');
    if (host !== 'localhost' && !isIP(host)) throw new UsageError(`reward serve: --host must be an IP address or localhost, not "${host}"`);
    const port = numberArg('reward serve', 'port', values.port, (x) => whole(0)(x) && x <= 65535) ?? DEFAULT_REWARD_PORT;
    const maxMb = numberArg('reward serve', 'max-body-mb', values['max-body-mb'], (x) => x > 0 && x <= 1024) ?? 16;
    let token: string | undefined;
    const tokenEnv = values['token-env'];
    if (tokenEnv !== undefined) {
      token = process.env[tokenEnv];
      // Never silent: a token that was asked for and is not there would leave the service open.
      if (!token) throw new UsageError(`reward serve: --token-env ${tokenEnv}: that environment variable is ${token === undefined ? 'not set' : 'empty'}`);
    }
    for (const [what, p] of [['dataset', values.dataset], ['answers', values.answers]] as const) {
      if (p !== undefined && !existsSync(p)) throw new Error(`reward serve: ${what} not found: ${p}`);
    }
    const t0 = performance.now();
    const sources = await openCheckSources({ path: values.dataset, format: formatArg(values.format), turns: turnsArg(values.turns), answers: values.answers, bfcl: isDir(values.dataset), cache: values['no-cache'] ? undefined : defaultCacheDir() }, 'all').catch((err: unknown) => {
      throw new Error(`reward serve: ${err instanceof Error ? err.message : String(err)}`);
    });
    const log = (line: string): void => void process.stderr.write(`itool reward: ${line}\n`);
    let service;
    try {
      const { startRewardService } = await import('../core/reward/service');
      service = await startRewardService({ sources, token, host, port, maxBodyBytes: maxMb * (1 << 20), log });
    } catch (err) {
      await sources.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`reward serve: cannot listen on ${host}:${port}${code === 'EADDRINUSE' ? ' (the port is in use: pick another with --port, or 0 for a free one)' : ''}: ${(err as Error).message}`);
    }
    if (!isLoopback(host) && !token) log(`warning: listening on ${host} without a token: anyone who can reach port ${service.port} can use it (give --token-env VAR)`);
    // The one line a launcher waits for (and reads the port from, with --port 0).
    process.stdout.write(`itool reward: ${sources.records} records from ${sources.dataset} read in ${Math.round(performance.now() - t0)} ms; serving POST ${service.url}/v1/reward${token ? ' (bearer token required)' : ''}\n`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string): void => {
        log(`${signal}: stopping`);
        resolve();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    await service.close();
    await sources.close();
    return 0;
  },
});
