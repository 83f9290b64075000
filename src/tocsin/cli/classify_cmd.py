"""``tocsin classify``, ``tocsin train`` and ``tocsin eval classify``.

Input is JSON-lines (plain or gzip) in the shared/data formats. Bad lines are counted,
logged with file:line and skipped; an unreadable file is a one-line error and exit 1.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

log = logging.getLogger("tocsin.classify")
err = Console(stderr=True)
BATCH = 2048


def _fail(msg: str) -> None:
    err.print(f"[red]error:[/red] {msg}", highlight=False)
    raise typer.Exit(1)


def _count_lines(path: Path) -> int | None:
    from tocsin.enrich.classify.data import open_text

    try:
        with open_text(path) as fh:
            return sum(1 for _ in fh)
    except (OSError, EOFError):
        return None


def _read_items(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[str]]:
    """Valid items with their line numbers, and messages for the bad lines."""
    from tocsin.enrich.classify.data import BadLine, iter_jsonl

    bad: list[BadLine] = []
    items: list[tuple[int, dict[str, Any]]] = []
    try:
        for n, obj in iter_jsonl(path, bad):
            if not isinstance(obj.get("text"), str):
                bad.append(BadLine(str(path), n, "no 'text' string"))
                continue
            items.append((n, obj))
    except (OSError, EOFError, UnicodeError) as e:
        _fail(f"cannot read {path}: {e}; check the path and that it is JSON-lines (or .gz)")
    bad.sort(key=lambda b: b.line)
    return items, [f"{b.path}:{b.line}: {b.reason}, skipped" for b in bad]


def _load(mode: str, model: Path | None):
    from tocsin.enrich.classify import Classifier
    from tocsin.enrich.classify.encoder import EncoderUnavailable

    try:
        return Classifier.load(model, mode=mode)
    except (FileNotFoundError, ValueError, EncoderUnavailable) as e:
        _fail(str(e))


def _langs(objs: list[dict[str, Any]]) -> list[str | None]:
    from tocsin.enrich.language import identify

    return [o.get("lang") if isinstance(o.get("lang"), str) and o.get("lang")
            else identify(o["text"]) for o in objs]


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    @app.command("classify")
    def classify_cmd(
        file: Path = typer.Argument(..., help="JSON-lines input (plain or .gz)"),
        out: Path = typer.Option(..., "-o", "--out", help="JSON-lines output"),
        mode: str = typer.Option("fast", "--mode", help="fast | accurate"),
        model: Path | None = typer.Option(None, "--model", help="model folder (default: shipped)"),
    ) -> None:
        """Classify each item: info type, scores, relevance, hazard, needs."""
        if mode not in ("fast", "accurate"):
            _fail(f"--mode must be fast or accurate, not {mode!r}")
        if not file.is_file():
            _fail(f"cannot read {file}: no such file")
        clf = _load(mode, model)
        items, bad = _read_items(file)
        for msg in bad[:50]:
            err.print(msg, highlight=False)
        try:
            fh = open(out, "w", encoding="utf-8")
        except OSError as e:
            _fail(f"cannot write {out}: {e}")
        with fh, Progress(TextColumn("classify"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err, transient=False) as prog:
            task = prog.add_task("classify", total=len(items))
            for s in range(0, len(items), BATCH):
                objs = [o for _, o in items[s:s + BATCH]]
                langs = _langs(objs)
                res = clf.classify([o["text"] for o in objs], langs)
                for o, lang, c in zip(objs, langs, res, strict=True):
                    d = c.to_dict()
                    fh.write(json.dumps({"id": o.get("id"), "lang": lang,
                                         "info_type": d["info_type"], "scores": d["scores"],
                                         "relevant": d["relevant"], "relevance": d["relevance"],
                                         "hazard": d["hazard"], "needs": d["needs"]},
                                        ensure_ascii=False) + "\n")
                prog.advance(task, len(objs))
        err.print(f"{len(items)} classified, {len(bad)} bad lines skipped -> {out}",
                  highlight=False)

    @app.command("train")
    def train_cmd(
        data: list[Path] = typer.Option(..., "--data", help="labelled JSON-lines; repeatable"),
        out: Path = typer.Option(..., "--out", help="model folder to write"),
        bits: int = typer.Option(19, "--bits", help="hash bits (2^bits buckets)"),
        accurate: bool = typer.Option(False, "--accurate/--no-accurate",
                                      help="also train encoder heads (slow: embeds ~13k items)"),
        encoder_cache: Path | None = typer.Option(None, "--encoder-cache",
                                                  help="folder caching embeddings"),
    ) -> None:
        """Train the classifier (fixed seeds, id-hash splits); prints dev scores."""
        from tocsin.enrich.classify.features import FeatureConfig
        from tocsin.enrich.classify.training import Trainer, load_many

        for p in data:
            if not p.is_file():
                _fail(f"cannot read {p}: no such file")
        rows = load_many(list(data))
        trainer = Trainer(FeatureConfig(bits=bits), log_fn=lambda m: err.print(m, highlight=False))
        meta = trainer.train(rows, out)
        if accurate:
            from tocsin.enrich.classify import Classifier
            from tocsin.enrich.classify.accurate import train_accurate
            from tocsin.enrich.classify.classifier import ACCURATE_FILE

            fast = Classifier.load(out)
            heads = train_accurate(rows, fast, str(encoder_cache) if encoder_cache else None,
                                   log=lambda m: err.print(m, highlight=False))
            heads.save(out / ACCURATE_FILE)
        typer.echo(json.dumps({"out": str(out), "trained_on": meta["trained_on"],
                               "dev_scores": meta["dev_scores"]}, indent=1))

    @eval_app.command("classify")
    def eval_classify_cmd(
        gold: Path = typer.Option(..., "--gold", help="labelled JSON-lines (plain or .gz)"),
        mode: str = typer.Option("fast", "--mode", help="fast | accurate"),
        model: Path | None = typer.Option(None, "--model", help="model folder (default: shipped)"),
        split: str | None = typer.Option(None, "--split",
                                         help="only items of this split (train/dev/test; "
                                              "id-hash folds where the file has none)"),
        sample: int = typer.Option(0, "--sample", help="deterministic subset of N items"),
    ) -> None:
        """Metrics as JSON: macro/weighted F1, per class, confusion, per language, ECE."""
        from tocsin.enrich.classify.accurate import sample as take
        from tocsin.enrich.classify.data import split_of
        from tocsin.eval.classify import evaluate
        from tocsin.model import INFO_TYPES

        if not gold.is_file():
            _fail(f"cannot read {gold}: no such file")
        clf = _load(mode, model)
        items, bad = _read_items(gold)
        for msg in bad[:50]:
            err.print(msg, highlight=False)
        objs = [o for _, o in items]
        if split:
            for official in ("train", "dev", "test"):
                if f".{official}." in gold.name:
                    for o in objs:
                        o.setdefault("split", official)
            objs = [o for o in objs if "id" in o and split_of(o) == split]
        if sample:
            objs = take(objs, sample)
        preds: list[dict[str, Any]] = []
        langs = _langs(objs)  # as `tocsin classify` does: identify what the file leaves out
        for s in range(0, len(objs), BATCH):
            res = clf.classify([o["text"] for o in objs[s:s + BATCH]], langs[s:s + BATCH])
            preds.extend(c.to_dict() for c in res)
        report = evaluate(objs, preds, INFO_TYPES)
        report.update({"gold": str(gold), "mode": mode, "split": split, "bad_lines": len(bad)})
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")
