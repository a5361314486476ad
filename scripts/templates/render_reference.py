#!/usr/bin/env python3
"""Reference renders for the chat-template conformance suite (test/unit/templateConformance.test.ts).

Renders every template of test/fixtures/chat_templates/corpus.json over every sample kind of
samples.jsonl (OpenAI-format records: structured calls) and toolace.jsonl (a ToolACE record: the
answer as python-call text), with Python jinja2 configured as transformers' apply_chat_template
configures it, and writes references.json. `npm test` compares the product's renders with this
file byte for byte and needs no Python; rerun this script (Debian's python3-jinja2) when the corpus
or the samples change:

    python3 scripts/templates/render_reference.py

The messages are built here, independently of the product, in Hugging Face's convention:
assistant calls {"id", "type": "function", "function": {"name", "arguments": <object>}} with
"content": "" when the turn has no text (the one choice every template of the corpus accepts: some
raise on a missing key, others on None), tool results {"role": "tool", "tool_call_id", "name",
"content"}, tools {"type": "function", "function": {...}}. Where a template raises with arguments
as objects, it is rendered again with arguments as JSON strings (some templates concatenate them);
a case that raises both ways is an error row with Python's own message.
"""
import copy
import hashlib
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', '..', 'test', 'fixtures', 'chat_templates')
# strftime_now is the only clock a template sees; a fixed one makes the renders reproducible.
NOW = datetime(2026, 12, 4, 9, 30, 0)
ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'


SNIPPET_CONTEXT = {
    'x': {'a': 'A', 'b': 2, 'c': [1, 'two']},
    'y': [1, 2, 3],
    'msgs': [{'role': 'system', 'content': 'S'}, {'role': 'user', 'content': 'U'}, {'role': 'assistant', 'content': 'A', 'tool_calls': [{'id': 'x'}]}],
    'messages': [],
}


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(fmt):
    return NOW.strftime(fmt)


class Generation(Extension):
    """transformers' {% generation %} … {% endgeneration %}: renders its body unchanged."""
    tags = {'generation'}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(['name:endgeneration'], drop_needle=True)
        return nodes.CallBlock(self.call_method('_render', []), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation, jinja2.ext.loopcontrols])
    env.filters['tojson'] = tojson
    env.globals['raise_exception'] = raise_exception
    env.globals['strftime_now'] = strftime_now
    return env


def generated_id(sample_id, turn, call):
    """The product's id for a call without one (src/core/model/messages.ts): 9 alphanumerics."""
    digest = hashlib.sha256(f'{sample_id}:{turn}:{call}'.encode()).digest()
    return ''.join(ID_ALPHABET[b % len(ID_ALPHABET)] for b in digest[:9])


def openai_messages(rec, args_as_string):
    """An OpenAI-format record in HF convention (arguments decoded; results named after their call)."""
    names = {}
    out = []
    for m in rec['messages']:
        if m['role'] == 'assistant' and m.get('tool_calls'):
            msg = {'role': 'assistant', 'content': m.get('content') or ''}
            calls = []
            for c in m['tool_calls']:
                names[c['id']] = c['function']['name']
                args = json.loads(c['function']['arguments'])
                calls.append({'id': c['id'], 'type': 'function', 'function': {'name': c['function']['name'], 'arguments': json.dumps(args, ensure_ascii=False) if args_as_string else args}})
            msg['tool_calls'] = calls
            out.append(msg)
        elif m['role'] == 'tool':
            out.append({'role': 'tool', 'tool_call_id': m['tool_call_id'], 'name': names[m['tool_call_id']], 'content': m['content']})
        else:
            out.append({'role': m['role'], 'content': m['content']})
    return out, rec['tools']


PYTHON_CALLS = {
    # The one ToolACE answer of toolace.jsonl, decoded by hand: [FIFARankings(league="Men")].
    '[FIFARankings(league="Men")]': [('FIFARankings', {'league': 'Men'})],
}


def toolace_messages(rec, mode, args_as_string):
    system = rec['system']
    start = system.index('[{"name"')
    tools_json, _ = json.JSONDecoder().raw_decode(system[start:])
    out = [{'role': 'system', 'content': system}]
    for i, t in enumerate(rec['conversations']):
        role = {'user': 'user', 'assistant': 'assistant', 'tool': 'tool'}[t['from']]
        if role == 'assistant' and mode == 'template' and t['value'] in PYTHON_CALLS:
            # Turn index counts the system turn, as the product's turns do.
            calls = [{'id': generated_id(rec['id'], i + 1, k), 'type': 'function', 'function': {'name': n, 'arguments': json.dumps(a, ensure_ascii=False) if args_as_string else a}}
                     for k, (n, a) in enumerate(PYTHON_CALLS[t['value']])]
            out.append({'role': 'assistant', 'content': '', 'tool_calls': calls})
        else:
            out.append({'role': role, 'content': t['value']})
    # Text mode: the tools are already in the system prompt's text, as the model was trained.
    tools = [{'type': 'function', 'function': t} for t in tools_json] if mode == 'template' else None
    return out, tools


def render(env, template, special, messages, tools, add_generation_prompt):
    compiled = env.from_string(template)
    return compiled.render(messages=messages, tools=tools or None, add_generation_prompt=add_generation_prompt, **special)


def case(env, tpl, build):
    """Prompt (every turn before the last, generation prompt on) and full render; objects first."""
    errors = []
    for args_as_string in (False, True):
        messages, tools = build(args_as_string)
        try:
            prompt = render(env, tpl['template'], tpl['specialTokens'], copy.deepcopy(messages[:-1]), copy.deepcopy(tools), True)
            full = render(env, tpl['template'], tpl['specialTokens'], copy.deepcopy(messages), copy.deepcopy(tools), False)
            return {'arguments': 'string' if args_as_string else 'object', 'prompt': prompt, 'full': full}
        except Exception as e:  # noqa: BLE001 — any failure is the reference's error row
            errors.append(f'{type(e).__name__}: {e}')
    return {'error': errors[0], 'errorAsString': errors[1]}


def main():
    # --corpus FILE --out FILE: render another set of templates (same samples) for a local comparison.
    args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    corpus = json.load(open(args.get('--corpus', os.path.join(FIXTURES, 'corpus.json')), encoding='utf-8'))
    samples = [json.loads(l) for l in open(os.path.join(FIXTURES, 'samples.jsonl'), encoding='utf-8') if l.strip()]
    toolace = [json.loads(l) for l in open(os.path.join(FIXTURES, 'toolace.jsonl'), encoding='utf-8') if l.strip()]
    env = environment()
    out = {'generator': f'scripts/templates/render_reference.py, Python {sys.version.split()[0]}, jinja2 {jinja2.__version__}', 'now': NOW.isoformat(), 'cases': []}
    for tpl in corpus:
        sha = hashlib.sha256(tpl['template'].encode()).hexdigest()
        for s in samples:
            row = case(env, tpl, lambda a, s=s: openai_messages(s, a))
            out['cases'].append({'template': tpl['name'], 'templateSha256': sha, 'sample': s['id'], 'calls': 'template', **row})
        for s in toolace:
            for mode in ('text', 'template'):
                row = case(env, tpl, lambda a, s=s, mode=mode: toolace_messages(s, mode, a))
                out['cases'].append({'template': tpl['name'], 'templateSha256': sha, 'sample': s['id'], 'calls': mode, **row})
    # Template snippets (snippets.json): filters, tests, methods and printing real templates use.
    snippets = json.load(open(os.path.join(FIXTURES, 'snippets.json'), encoding='utf-8'))
    out['snippetContext'] = SNIPPET_CONTEXT
    out['snippets'] = []
    for sn in snippets:
        try:
            out['snippets'].append({'template': sn, 'ok': env.from_string(sn).render(**copy.deepcopy(SNIPPET_CONTEXT), tools=None)})
        except Exception as e:  # noqa: BLE001
            out['snippets'].append({'template': sn, 'error': f'{type(e).__name__}: {e}'})
    with open(args.get('--out', os.path.join(FIXTURES, 'references.json')), 'w', encoding='utf-8') as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write('\n')
    ok = sum(1 for c in out['cases'] if 'error' not in c)
    strings = sum(1 for c in out['cases'] if c.get('arguments') == 'string')
    print(f'{len(out["cases"])} cases: {ok} rendered ({strings} with arguments as strings), {len(out["cases"]) - ok} raise in Python; {len(out["snippets"])} snippets')


if __name__ == '__main__':
    main()
