#!/usr/bin/env python3
"""BFCL's own AST checker over a file of prompting-model outputs, as one process: the reference
side of bench/checkVsBfcl.bench.ts. Nothing of BFCL is copied here: every function that decodes
and judges an output is imported from a gorilla checkout (berkeley-function-call-leaderboard/),
and the per-entry evaluation is BFCL's own `_evaluate_single_ast_entry` /
`_evaluate_single_relevance_entry` from eval_runner.py, called as BFCL's ast_file_runner and
relevance_file_runner call them (decode with the prompting decoder, then ast_checker or the
irrelevance rule).

    python3 bench/bfcl_checker.py --bfcl CHECKOUT --questions DIR --answers DIR/possible_answer \
        --outputs O.jsonl [--rows]

CHECKOUT is the gorilla repository root or its berkeley-function-call-leaderboard/ folder.
Outputs are BFCL result lines {"id", "result": "<model text>"} ("output" is read as well); the
category of each comes from its id with BFCL's extract_test_category_from_id. Prints a summary
(valid / judged per category) on stdout, or with --rows one {"id", "valid"} line per output in
input order. Multi-turn, memory, web_search and format-sensitivity outputs are not judged here
(BFCL executes multi-turn calls against its backends): they are counted and reported as skipped.
The last line on stderr is `[bfcl_checker] timing {...}`: seconds spent importing BFCL, loading
the files and judging, how many outputs were judged, and what was stubbed.

BFCL's package imports every model SDK it supports (openai, anthropic, google-genai, …) through
constants/model_config.py, and tree_sitter for its Java/JavaScript decoders. When the checkout's
imports fail for lack of such packages, the missing third-party modules are replaced by inert
stubs and model_config by a one-entry mapping (a prompting model, names kept as written); the
stubbed names are listed on stderr. None of them is on the path that decodes or judges a Python
output, and leaving the SDK imports out only makes BFCL's side start faster. Java and JavaScript
outputs need the real tree_sitter: without it they are refused (exit 2), never misjudged.
"""
import argparse
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time
import types
from pathlib import Path

STUBBED = []


class _Inert:
    """Stands for anything from a missing module: callable, decorator-safe, attribute-safe."""

    def __init__(self, *a, **k):
        pass

    def __call__(self, *a, **k):
        # As a bare decorator (`@final`) hand the function back; otherwise another inert value.
        if len(a) == 1 and not k and callable(a[0]):
            return a[0]
        return _Inert()

    def __getattr__(self, name):
        return _Inert()

    def __getitem__(self, key):
        return _Inert()

    def __iter__(self):
        return iter(())

    def __enter__(self):
        # `with FileLock(path):` (filelock stubbed): a lock that holds nothing.
        return self

    def __exit__(self, *exc):
        return False

    def __mro_entries__(self, bases):
        # `class Handler(SomeSdkClass)` with SomeSdkClass from a stub: derive from object instead.
        return (object,)


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Inert()


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []  # a package, so `import a.b.c` of a missing `a` resolves too
        return m

    def exec_module(self, module):
        pass


def _imported_by_bfcl():
    f = sys._getframe(2)
    while f is not None and (f.f_code.co_filename.startswith("<frozen") or "importlib" in f.f_code.co_filename):
        f = f.f_back
    return f is not None and str(f.f_globals.get("__name__", "")).startswith("bfcl_eval")


class _StubFinder(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: only modules no real finder found come here."""

    def find_spec(self, name, path, target=None):
        top = name.split(".")[0]
        parent = sys.modules.get(name.rpartition(".")[0]) if "." in name else None
        # Only what a BFCL module imports (and submodules of a stub): an installed package's own
        # optional imports (numpy's `try: import _distributor_init_local`) must still fail.
        if name.startswith("bfcl_eval") or not (isinstance(parent, _StubModule) or _imported_by_bfcl()):
            return None
        if top not in STUBBED:
            STUBBED.append(top)
        return importlib.machinery.ModuleSpec(name, _StubLoader(), is_package=True)


def _stub_model_config():
    from dataclasses import dataclass

    @dataclass
    class ModelConfig:
        model_name: str = "itool-bench-prompt"
        display_name: str = "itool-bench-prompt"
        url: str = ""
        org: str = ""
        license: str = ""
        model_handler: object = None
        input_price: object = None
        output_price: object = None
        is_fc_model: bool = False
        underscore_to_dot: bool = False

    m = types.ModuleType("bfcl_eval.constants.model_config")
    m.ModelConfig = ModelConfig
    m.MODEL_CONFIG_MAPPING = {"itool-bench-prompt": ModelConfig()}
    sys.modules[m.__name__] = m
    STUBBED.append("bfcl_eval.constants.model_config (one prompting model)")


def load_bfcl(checkout):
    root = checkout
    if os.path.isdir(os.path.join(root, "berkeley-function-call-leaderboard")):
        root = os.path.join(root, "berkeley-function-call-leaderboard")
    if not os.path.isfile(os.path.join(root, "bfcl_eval", "eval_checker", "eval_runner.py")):
        sys.exit(f"bfcl_checker: {checkout} is not a gorilla checkout (no bfcl_eval/eval_checker/eval_runner.py)")
    sys.path.insert(0, root)
    # BFCL reads its .env and makes result folders under BFCL_PROJECT_ROOT on import: keep both
    # out of the checkout.
    os.environ.setdefault("BFCL_PROJECT_ROOT", os.path.join(os.environ.get("TMPDIR", "/tmp"), "itool-bfcl-root"))
    try:
        import bfcl_eval.eval_checker.eval_runner as runner  # noqa: F401
    except ImportError:
        for name in [n for n in sys.modules if n.startswith("bfcl_eval")]:
            del sys.modules[name]
        _stub_model_config()
        sys.meta_path.append(_StubFinder())
        import bfcl_eval.eval_checker.eval_runner as runner
    from bfcl_eval.constants.model_config import MODEL_CONFIG_MAPPING
    # A prompting model whose function names are kept as written: the outputs are model text.
    model = next(k for k, c in MODEL_CONFIG_MAPPING.items() if not c.is_fc_model and not c.underscore_to_dot)
    return runner, model.replace("/", "_")


class PromptingHandler:
    """The decode_ast of BFCL's prompting handlers (base_oss_handler.py): the default decoder."""

    def __init__(self, decode):
        self._decode = decode

    def decode_ast(self, result, language, has_tool_call_tag):
        return self._decode(result, language, has_tool_call_tag)


def main():
    t0 = time.perf_counter()
    ap = argparse.ArgumentParser()
    ap.add_argument("--bfcl", required=True)
    ap.add_argument("--questions", required=True)
    ap.add_argument("--answers", required=True)
    ap.add_argument("--outputs", required=True)
    ap.add_argument("--rows", action="store_true")
    ap.add_argument("--score-dir", help="write BFCL's score files here, as its runners do after judging a category")
    args = ap.parse_args()

    runner, model_name = load_bfcl(args.bfcl)
    from bfcl_eval.constants.enums import Language, ReturnFormat
    from bfcl_eval.model_handler.utils import default_decode_ast_prompting
    from bfcl_eval.utils import (
        extract_test_category_from_id,
        is_agentic,
        is_format_sensitivity,
        is_java,
        is_js,
        is_multi_turn,
        is_relevance_or_irrelevance,
        load_file,
    )

    handler = PromptingHandler(default_decode_ast_prompting)
    t_import = time.perf_counter()

    outputs = load_file(args.outputs, use_lock=False)
    by_category = {}
    for o in outputs:
        by_category.setdefault(extract_test_category_from_id(o["id"]), []).append(o)
    if ("tree_sitter" in STUBBED) and any(is_java(c) or is_js(c) for c in by_category):
        sys.exit("bfcl_checker: Java/JavaScript outputs need BFCL's tree_sitter decoders, which this python3 lacks")

    prompts, answers = {}, {}
    files = {f[: -len(".json")].split("_", 2)[-1]: f for f in os.listdir(args.questions) if f.startswith("BFCL_v") and f.endswith(".json")}
    for category in by_category:
        f = files.get(category)
        if f is None:
            continue
        for e in load_file(os.path.join(args.questions, f), use_lock=False):
            prompts[e["id"]] = e
        a = os.path.join(args.answers, f)
        if os.path.exists(a):
            for e in load_file(a, use_lock=False):
                answers[e["id"]] = e["ground_truth"]
    t_load = time.perf_counter()

    valid_by_id = []
    counts = {}
    save_s = 0.0
    skipped = 0
    for category, rows in by_category.items():
        if is_multi_turn(category) or is_agentic(category) or is_format_sensitivity(category) or category not in files:
            skipped += len(rows)
            continue
        if is_java(category):
            language, fmt = Language.JAVA, ReturnFormat.JAVA
        elif is_js(category):
            language, fmt = Language.JAVASCRIPT, ReturnFormat.JAVASCRIPT
        else:
            language, fmt = Language.PYTHON, ReturnFormat.PYTHON
        n_valid = 0
        failed = []
        for o in rows:
            result = o.get("result", o.get("output"))
            prompt = prompts.get(o["id"])
            if prompt is None:
                skipped += 1
                continue
            if is_relevance_or_irrelevance(category):
                r = runner._evaluate_single_relevance_entry(handler, o["id"], result, prompt, model_name, category)
            else:
                r = runner._evaluate_single_ast_entry(handler, o["id"], result, answers[o["id"]], prompt, model_name, category, language=language, return_format=fmt, has_tool_call_tag=False)
            n_valid += bool(r["valid"])
            if not r["valid"]:
                failed.append(r)
            if args.rows:
                valid_by_id.append((o["id"], bool(r["valid"])))
        counts[category] = (n_valid, len(rows))
        if args.score_dir:
            # What BFCL's ast_file_runner / relevance_file_runner end with: its own save_eval_results
            # writes the category's score file (a header, then every failing entry as judged).
            t_save = time.perf_counter()
            runner.save_eval_results(failed, n_valid, rows, category, model_name, Path(args.score_dir))
            save_s += time.perf_counter() - t_save
    t_end = time.perf_counter()

    if args.rows:
        sys.stdout.write("".join(json.dumps({"id": i, "valid": v}) + "\n" for i, v in valid_by_id))
    else:
        for c, (v, n) in sorted(counts.items()):
            print(f"{c:28s} {v:6d} / {n:6d} valid")
        print(f"{'total':28s} {sum(v for v, _ in counts.values()):6d} / {sum(n for _, n in counts.values()):6d} valid, {skipped} skipped")
    judged = sum(n for _, n in counts.values())
    timing = {"import_s": t_import - t0, "load_s": t_load - t_import, "judge_s": t_end - t_load - save_s, "save_s": save_s, "judged": judged, "stubbed": STUBBED}
    sys.stderr.write(f"[bfcl_checker] timing {json.dumps(timing)}\n")


if __name__ == "__main__":
    main()
