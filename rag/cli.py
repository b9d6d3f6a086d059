"""The ``rag`` command line; each sub-command mirrors one library call.

    rag model prepare            dequantise the bundled e5 weights, export them to ONNX (offline)
    rag ingest [--corpus DIR]    sync the index with a folder of documents
    rag ask "问题" [--json]       answer one question with citations
    rag eval --dataset F --out D score an evaluation set
    rag serve                    start the Gradio app (and the HTTP API, see docs/api.md)
    rag keys create|list|revoke  manage the HTTP API's keys
    rag targets --doc ID         a plan's or report's targets, the results reported, the verdicts
    rag doctor                   check model, index, Chroma and LLM

Bad input (an empty question, a missing file) prints one line and exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"rag: {shown(message)}", file=sys.stderr)
    return code


def shown(text: str) -> str:
    """``text`` as it can be printed: bytes that were not UTF-8 in the command line or a file name
    (kept by Python as lone surrogates) are shown as ``\\xff`` escapes instead of failing the print."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that is not an escaped byte
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _settings(args):
    from rag.settings import Settings

    overrides = {}
    if getattr(args, "index", None):
        overrides["index_dir"] = Path(args.index)
    if getattr(args, "onnx_dest", None):
        overrides["onnx_dir"] = Path(args.onnx_dest)
    return Settings(**overrides)


def cmd_model_prepare(args) -> int:
    from rag.engine.prepare import prepare_all
    from rag.settings import DEFAULT_MODEL_DIR

    settings = _settings(args)
    model, onnx_dir = prepare_all(Path(args.dest) if args.dest else DEFAULT_MODEL_DIR, settings.onnx_dir,
                                  force=args.force, progress=True)
    print(f"model ready: {model}")
    print(f"ONNX export ready: {onnx_dir}")
    return 0


def cmd_ingest(args) -> int:
    from rag.store import Index

    settings = _settings(args)
    corpus = Path(args.corpus) if args.corpus else settings.corpus_dir
    if not corpus.is_dir():
        return _fail(f"corpus folder not found: {corpus}")
    index = Index(settings)
    report = index.rebuild(corpus, progress=True) if args.rebuild else index.ingest(corpus, progress=True)
    print(shown(report.summary()))
    for name, message in report.errors.items():  # the rest is indexed; each file refused gets its line
        print(f"rag: skipped {shown(name)}: {shown(message)}", file=sys.stderr)
    return EXIT_BAD_INPUT if report.errors else 0


def cmd_ask(args) -> int:
    from rag.engine import preload

    settings = _settings(args)
    preload(settings)  # the model loads while the pipeline is imported and the index opened
    from rag.pipeline import Assistant, QuestionError, clean_question

    question = " ".join(args.question)
    try:
        clean_question(question)
    except QuestionError as exc:
        return _fail(str(exc))
    assistant = Assistant(settings)
    known = assistant.index.manifest.documents
    unknown = [d for d in args.doc or [] if d not in known]
    if unknown:
        return _fail(f"no document with id '{unknown[0]}'; known: {', '.join(sorted(known))}")
    years = []
    for y in args.year or []:
        if not y.isdigit():
            return _fail(f"--year takes a year such as 2024, not '{y}'")
        years.append(int(y))
    doc_ids = None
    if args.doc or args.issuer or args.year or args.kind:
        doc_ids = assistant.select(args.kind, args.issuer, years, args.doc)
        if not doc_ids:
            return _fail("no indexed document matches the filter (--doc/--kind/--issuer/--year)")
    result = assistant.ask(question, k=args.k, doc_ids=doc_ids)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
        return 0
    print(result.answer.text)
    if result.answer.citations:
        print()
        for c in result.answer.citations:
            facts = result.documents.get(c.passage.doc_id, {})
            label = facts.get("label") or c.passage.doc_title
            mark = "（非最新）" if facts.get("superseded") else ""
            print(f"[{c.n}] {label}{mark}")
            print(f"    {c.passage.locator}" + (f"（{c.passage.ocr_mark}）" if c.passage.ocr_mark else ""))
            print(f"    {c.passage.text[:200]}{'…' if len(c.passage.text) > 200 else ''}")
    for notice in result.notices + result.answer.notices:
        print(f"注意: {notice}")
    return 0


def cmd_eval(args) -> int:
    from rag.evaluation import DatasetError, run_eval

    dataset = Path(args.dataset)
    if not dataset.is_file():
        return _fail(f"dataset not found: {dataset}")
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    try:
        summary = run_eval(dataset, Path(args.out), k=args.k, systems=systems, settings=_settings(args))
    except DatasetError as exc:
        return _fail(str(exc))
    print(summary)
    return 0


def cmd_serve(args) -> int:
    import runpy

    app_path = Path(__file__).resolve().parent.parent / "app.py"
    sys.argv = [str(app_path)]
    runpy.run_path(str(app_path), run_name="__main__")
    return 0


def cmd_keys(args) -> int:
    from datetime import datetime

    from rag.api.keys import KeyNameError, KeyStore

    store = KeyStore(_settings(args).keys_file)
    try:
        if args.keys_command == "create":
            key = store.create(args.name)
            print(f"API key '{args.name}' created; it is shown only now (the server keeps its hash in {store.path}):")
            print(key)
        elif args.keys_command == "revoke":
            store.revoke(args.name)
            print(f"API key '{args.name}' revoked.")
        else:
            keys = store.names()
            for k in keys:
                print(f"{k.name}\tcreated {datetime.fromtimestamp(k.created).isoformat(timespec='seconds')}")
            if not keys:
                print("No API keys: the API answers only on this machine (loopback).")
    except KeyNameError as exc:
        return _fail(str(exc))
    return 0


def cmd_targets(args) -> int:
    from rag.store import Index
    from rag.targets import export, from_index

    index = Index(_settings(args))
    index.load()
    known = index.manifest.documents
    if args.doc not in known:
        return _fail(f"no document with id '{args.doc}'; known: {', '.join(sorted(known))}")
    text = export(from_index(index), args.doc, args.format, args.lang)
    if not text:
        print("该文件中未识别出量化目标。" if args.lang == "zh" else "No quantitative targets were found in this document.")
        return 0
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8-sig" if args.format == "csv" else "utf-8")
        print(args.out)
    else:
        print(text, end="")
    return 0


def cmd_doctor(args) -> int:
    from rag.doctor import run_doctor

    return run_doctor(_settings(args))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rag", description="Policy Q&A assistant: cited answers from policy documents.")
    sub = parser.add_subparsers(dest="command", required=True)

    model = sub.add_parser("model", help="manage the embedding model")
    model_sub = model.add_subparsers(dest="model_command", required=True)
    prep = model_sub.add_parser(
        "prepare", help="dequantise the bundled multilingual-e5-small weights and export them to ONNX (offline)"
    )
    prep.add_argument("--dest", help="output folder (default: models/multilingual-e5-small)")
    prep.add_argument("--force", action="store_true", help="rebuild even if up to date")
    prep.add_argument("--onnx-dest", help="ONNX output folder (default: RAG_ONNX_DIR or models/multilingual-e5-small-onnx)")
    prep.set_defaults(func=cmd_model_prepare)

    ingest = sub.add_parser("ingest", help="index a folder of documents (incremental)")
    ingest.add_argument("--corpus", help="folder of documents (default: RAG_CORPUS_DIR or corpus/)")
    ingest.add_argument("--index", help="index folder (default: RAG_INDEX_DIR or index/)")
    ingest.add_argument("--rebuild", action="store_true", help="re-embed everything")
    ingest.set_defaults(func=cmd_ingest)

    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question", nargs="*", help="the question")
    ask.add_argument("--json", action="store_true", help="print one results.jsonl object")
    ask.add_argument("--k", type=int, default=None, help="passages handed to the answerer")
    ask.add_argument("--doc", action="append", help="only search this document id (repeatable)")
    ask.add_argument("--kind", action="append", help="only documents of this kind, e.g. 政府工作报告, 条例 (repeatable)")
    ask.add_argument("--issuer", action="append", help="only documents of this issuer or region, e.g. 国务院, 四川 (repeatable)")
    ask.add_argument("--year", action="append", help="only documents of this year (repeatable)")
    ask.add_argument("--index", help="index folder")
    ask.set_defaults(func=cmd_ask)

    ev = sub.add_parser("eval", help="score an evaluation set (JSONL, shared format)")
    ev.add_argument("--dataset", required=True)
    ev.add_argument("--out", required=True)
    ev.add_argument("--k", type=int, default=5)
    ev.add_argument("--systems", default="ours", help="comma-separated: ours,naive,chatchat,bm25,dense")
    ev.add_argument("--index", help="index folder")
    ev.set_defaults(func=cmd_eval)

    serve = sub.add_parser("serve", help="start the Gradio app")
    serve.set_defaults(func=cmd_serve)

    keys = sub.add_parser("keys", help="manage the HTTP API's keys (kept hashed in <index>/api-keys.json)")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    for verb, text in (("create", "make a key; prints it as the last line"), ("revoke", "delete a key")):
        one = keys_sub.add_parser(verb, help=text)
        one.add_argument("name", help="the key's name, e.g. dify or open-webui")
        one.add_argument("--index", help="index folder")
        one.set_defaults(func=cmd_keys)
    listing = keys_sub.add_parser("list", help="the keys' names and dates (never the keys)")
    listing.add_argument("--index", help="index folder")
    listing.set_defaults(func=cmd_keys)

    targets = sub.add_parser("targets", help="a plan's or report's targets against the results reported (目标完成情况)")
    targets.add_argument("--doc", required=True, help="the document id (rag ask --doc lists them when wrong)")
    targets.add_argument("--format", choices=("md", "csv"), default="md", help="Markdown table (default) or CSV")
    targets.add_argument("--lang", choices=("zh", "en"), default="zh", help="column names and verdicts")
    targets.add_argument("--out", help="write to this file instead of printing")
    targets.add_argument("--index", help="index folder")
    targets.set_defaults(func=cmd_targets)

    doctor = sub.add_parser("doctor", help="check model, index, Chroma connection and LLM endpoint")
    doctor.add_argument("--index", help="index folder")
    doctor.set_defaults(func=cmd_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rag`` console script."""
    for stream in (sys.stdout, sys.stderr):  # never a traceback for printing what a user typed
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):  # replaced by a test harness, or already closed
            pass
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, which is our bad-input code too
        return int(exc.code or 0)
    from rag.logs import configure_logging

    # One JSON line per question is for servers; at the terminal only warnings, unless asked.
    configure_logging(level=os.environ.get("RAG_LOG_LEVEL", "WARNING"))
    from rag.engine.base import ModelNotPreparedError
    from rag.store import IndexBusyError, IndexNotBuiltError
    from rag.loaders import DocumentError

    try:
        return args.func(args)
    except (IndexNotBuiltError, ModelNotPreparedError, IndexBusyError, DocumentError, FileNotFoundError) as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        from rag.store import is_unreachable

        if is_unreachable(exc):  # a store that stopped answering part-way through a command
            return _fail(f"the document store is unreachable ({exc.__class__.__name__}); try again when it is back.")
        raise


#: Commands that write nothing: after them the process may end without the interpreter's teardown.
READ_ONLY = frozenset({"ask"})


def run() -> None:
    """The ``rag`` console script: :func:`main`, then the exit. After a read-only command the output is
    flushed and the process ends at once: the interpreter's teardown of the loaded index and model
    (~0.3 s) would only delay the shell prompt."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv and argv[0] in READ_ONLY:
        import logging

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
