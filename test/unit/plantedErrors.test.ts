// Planted single-value errors (issue 16): a policy that answers every request either right or with
// exactly one wrong value — a date a day off, a time five minutes off, one passenger too many, an
// id with its last character changed, a value deep in a long call — is searched with the published
// settings through a real HTTP OpenAI-compatible endpoint (a STAND-IN server with a scripted model,
// test/support/scriptedServer.ts). A pair that differs in exactly one value is the method's best
// case: every planted error must come out as a pair, right value chosen, planted value rejected.
// The character edit-distance overlap that came before dropped 3 of 15 such pairs (a date, a time
// and a passenger count differ in one character of a fragment over 20 characters).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promptFor } from '../../src/core/model/prompt';
import { Dataset } from '../../src/core/dataset/dataset';
import { RemotePolicy } from '../../src/core/model/openai/remotePolicy';
import { explore } from '../../src/core/search/explore';
import { extractPairs, fragmentOverlap } from '../../src/core/search/pairs';
import { hermes, ScriptedPolicy } from '../support/scriptedPolicy';
import { ScriptedServer } from '../support/scriptedServer';

const TEMPLATE = resolve(__dirname, '..', '..', 'demo', 'models', 'itool-tiny');

interface Plant {
  fn: string;
  props: Record<string, { type: string }>;
  args: Record<string, unknown>;
  /** The parameter that gets the wrong value, and the value. */
  param: string;
  planted: unknown;
}

const str = { type: 'string' };
const int = { type: 'integer' };
const flight = { origin: str, destination: str, date: str, departure_time: str, passengers: int, cabin: str };
const flightArgs = { origin: 'SFO', destination: 'JFK', date: '2024-03-14', departure_time: '09:45', passengers: 2, cabin: 'economy' };
const meeting = { title: str, date: str, start_time: str, duration_minutes: int, room: str };
const meetingArgs = { title: 'Quarterly planning review', date: '2025-11-03', start_time: '14:30', duration_minutes: 45, room: 'B-204' };
const order = { order_id: str, customer_id: str, include_items: { type: 'boolean' } };
const orderArgs = { order_id: 'ORD-88213-XK', customer_id: 'CUST-000417', include_items: true };
const reservation = { restaurant: str, city: str, date: str, time: str, party_size: int, name: str, phone: str, notes: str };
const reservationArgs = { restaurant: 'La Taqueria', city: 'San Francisco', date: '2024-12-24', time: '19:15', party_size: 4, name: 'Maria Gonzalez', phone: '+1-415-555-0132', notes: 'a table by the window, one high chair' };
const transfer = { from_account: str, to_account: str, amount: { type: 'number' }, currency: str, reference: str, execute_on: str };
const transferArgs = { from_account: 'DE89370400440532013000', to_account: 'FR1420041010050500013M02606', amount: 1250.5, currency: 'EUR', reference: 'INV-2024-00981', execute_on: '2024-07-01' };

/** 15 plants: dates, times, counts, ids, amounts, and values deep in long calls (the merged tail past depth 3). */
const PLANTS: Plant[] = [
  { fn: 'book_flight', props: flight, args: flightArgs, param: 'date', planted: '2024-03-15' },
  { fn: 'book_flight', props: flight, args: flightArgs, param: 'departure_time', planted: '09:46' },
  { fn: 'book_flight', props: flight, args: flightArgs, param: 'passengers', planted: 3 },
  { fn: 'book_flight', props: flight, args: flightArgs, param: 'cabin', planted: 'economy_plus' },
  { fn: 'schedule_meeting', props: meeting, args: meetingArgs, param: 'start_time', planted: '14:35' },
  { fn: 'schedule_meeting', props: meeting, args: meetingArgs, param: 'date', planted: '2025-11-08' },
  { fn: 'schedule_meeting', props: meeting, args: meetingArgs, param: 'room', planted: 'B-203' },
  { fn: 'get_order_status', props: order, args: orderArgs, param: 'order_id', planted: 'ORD-88213-XL' },
  { fn: 'get_order_status', props: order, args: orderArgs, param: 'customer_id', planted: 'CUST-000471' },
  { fn: 'reserve_table', props: reservation, args: reservationArgs, param: 'phone', planted: '+1-415-555-0123' },
  { fn: 'reserve_table', props: reservation, args: reservationArgs, param: 'notes', planted: 'a table by the window, two high chairs' },
  { fn: 'reserve_table', props: reservation, args: reservationArgs, param: 'party_size', planted: 5 },
  { fn: 'transfer_funds', props: transfer, args: transferArgs, param: 'reference', planted: 'INV-2024-00918' },
  { fn: 'transfer_funds', props: transfer, args: transferArgs, param: 'execute_on', planted: '2024-07-10' },
  { fn: 'transfer_funds', props: transfer, args: transferArgs, param: 'amount', planted: 1250.05 },
];

function record(p: Plant, i: number): string {
  const query = `Request ${i}: please ${p.fn.replaceAll('_', ' ')} with ${Object.entries(p.args).map(([k, v]) => `${k.replaceAll('_', ' ')} ${v}`).join(', ')}.`;
  return JSON.stringify({
    messages: [
      { role: 'user', content: query },
      { role: 'assistant', content: null, tool_calls: [{ id: `call_${i}`, type: 'function', function: { name: p.fn, arguments: JSON.stringify(p.args) } }] },
    ],
    tools: [{ type: 'function', function: { name: p.fn, description: `${p.fn.replaceAll('_', ' ')}.`, parameters: { type: 'object', properties: p.props, required: Object.keys(p.props) } } }],
  });
}

describe('planted single-value errors become pairs', () => {
  let dir: string;
  let ds: Dataset;
  let server: ScriptedServer;
  let policy: RemotePolicy;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'itool-planted-'));
    const path = join(dir, 'planted.jsonl');
    writeFileSync(path, PLANTS.map(record).join('\n') + '\n');
    ds = await Dataset.open(path);
    assert.equal(ds.count, PLANTS.length);
    policy = new RemotePolicy({ baseURL: 'http://127.0.0.1:9/v1', model: 'scripted-model', chatTemplatePath: TEMPLATE, maxRetries: 0 });
    const script = new ScriptedPolicy(new Map());
    for (const [i, p] of PLANTS.entries()) {
      const r = await ds.sample(i);
      assert.ok(r.ok);
      script.candidates.set(await promptFor(policy, r.sample), [hermes({ name: p.fn, arguments: p.args }), hermes({ name: p.fn, arguments: { ...p.args, [p.param]: p.planted } })]);
    }
    server = await ScriptedServer.start(script);
    policy = new RemotePolicy({ baseURL: server.url, model: 'scripted-model', chatTemplatePath: TEMPLATE, maxRetries: 0 });
  });
  after(async () => {
    await ds?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the published settings find every plant as a pair: right value chosen, planted value rejected as a wrong value', async () => {
    const run = await explore(ds, policy, PLANTS.map((_, index) => ({ index })), { seed: 3 });
    assert.ok(server.requests > 0, 'the search went through the HTTP endpoint');
    const missing: string[] = [];
    for (const [i, p] of PLANTS.entries()) {
      const pairs = run.pairs.filter((x) => x.index === i);
      const hit = pairs.find(
        (x) => (x.prefix + x.chosen.text).includes(JSON.stringify(p.args[p.param])) && (x.prefix + x.rejected.text).includes(JSON.stringify(p.planted)) && x.rejected.verdict.errors.some((e) => e.kind === 'wrong_value' && e.param === p.param),
      );
      if (!hit) missing.push(`${p.fn}.${p.param} = ${JSON.stringify(p.planted)} (pairs: ${JSON.stringify(pairs.map((x) => [x.chosen.fragment, x.rejected.fragment, x.overlap]))})`);
      else assert.equal(hit.chosen.verdict.valid, true);
    }
    assert.deepEqual(missing, [], `planted errors with no pair:\n${missing.join('\n')}`);
  });

  it('the search trees hold both values as visited siblings, and the overlap cap keeps all of them', async () => {
    const run = await explore(ds, policy, PLANTS.map((_, index) => ({ index })), { seed: 3 });
    for (const [i, e] of run.entries.entries()) {
      const r = await ds.sample(i);
      assert.ok(r.ok);
      // A cap of 0.5 drops nothing that differs in a value either; only the layout of a fragment can make two alike.
      assert.ok(extractPairs(e.tree, r.sample, { maxOverlap: 0.5 }).length >= 1, `sample ${i}`);
    }
    // The old measure's blind spot, measured: one character of a long fragment.
    const right = '"notes": "a table by the window, one high chair"}}';
    assert.ok(fragmentOverlap(right, right.replace('one', 'two')) < 0.95);
  });
});
