"""``tocsin geoparse``, ``tocsin eval geoparse`` and ``tocsin gazetteer build|info``.

The geoparse command is part of the stable command-line contract used by independent
evaluation: one output line per good input line, in input order; bad lines are counted
and reported as FILE:LINE on stderr, never fatal; an unreadable input is one error line
and exit status 1.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
import time
from pathlib import Path
from typing import IO, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

log = logging.getLogger("tocsin.geoparse")
_err = Console(stderr=True)

PLACE_FIELDS = ("start", "end", "phrase", "geonameid", "name", "lat", "lon", "country")


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return open(path, mode, encoding="utf-8")


def _rss_mb() -> float | None:
    """Resident memory of this process now (Linux), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _fail(msg: str) -> None:
    _err.print(f"[red]error:[/red] {msg}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def geoparse_file(src: Path, dst: Path, *, home_country: str | None = None,
                  progress: bool = True) -> tuple[int, int]:
    """Geoparse a JSON-lines file; returns (items written, bad lines)."""
    from tocsin.enrich.geoparse import Geoparser

    try:
        fin = _open_text(src, "r")
        first = fin.read(1)  # surfaces permission and gzip errors before any work
        fin.seek(0)
    except (OSError, EOFError) as e:
        _fail(f"cannot read {src}: {e}. Check the path and that it is JSON lines (.gz ok).")
        raise  # unreachable, for type checkers
    del first
    gp = Geoparser.load()
    good = bad = 0
    try:
        fout = _open_text(dst, "w")
    except OSError as e:
        fin.close()
        _fail(f"cannot write {dst}: {e}")
        raise
    prog = Progress(SpinnerColumn(), TextColumn("geoparse"), BarColumn(),
                    TextColumn("{task.completed} items"), TimeElapsedColumn(),
                    console=_err, disable=not progress, transient=False)
    with fin, fout, prog:
        task = prog.add_task("geoparse", total=None)
        lineno = 0
        try:
            for lineno, line in enumerate(fin, 1):  # noqa: B007 - lineno used after loop
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                        raise ValueError("expected an object with a string 'text'")
                except ValueError as e:
                    bad += 1
                    log.debug("%s:%d: skipped bad line: %s", src, lineno, e)
                    _err.print(f"{src}:{lineno}: skipped bad line: {e}", highlight=False,
                               soft_wrap=True)
                    continue
                places = gp.parse(item["text"], lang=item.get("lang"),
                                  home_country=home_country)
                out: dict[str, Any] = {
                    "id": item.get("id"),
                    "places": [{k: getattr(p, k) for k in PLACE_FIELDS} for p in places],
                }
                fout.write(json.dumps(out, ensure_ascii=False) + "\n")
                good += 1
                prog.advance(task)
        except (OSError, EOFError, UnicodeDecodeError) as e:
            _fail(f"{src}:{lineno + 1}: cannot read further: {e}")
    return good, bad


def register(app: typer.Typer, eval_app: typer.Typer) -> None:
    """Hook called by ``tocsin.cli`` auto-discovery."""

    @app.command("geoparse")
    def geoparse_cmd(
        file: Path = typer.Argument(..., help="JSON lines with 'id' and 'text' (.gz ok)."),
        output: Path = typer.Option(..., "-o", "--output", help="Output JSON lines."),
        home_country: str | None = typer.Option(
            None, help="ISO2 country of the source, a resolution hint."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    ) -> None:
        """Find and resolve places: per item {id, places: [{start, end, phrase, ...}]}."""
        t0 = time.time()
        good, bad = geoparse_file(file, output, home_country=home_country, progress=not quiet)
        _err.print(f"geoparsed {good} items in {time.time() - t0:.1f}s; {bad} bad lines "
                   f"skipped -> {output}", highlight=False)

    @eval_app.command("geoparse")
    def eval_geoparse_cmd(
        gold: Path = typer.Option(..., "--gold", help="Geo gold file (JSON lines, .gz ok)."),
        half: str = typer.Option("all", help="all, or one half of the fixed split: tune|test"),
    ) -> None:
        """Recognition P/R/F1 (exact spans), resolution Acc@161 and km errors, as JSON."""
        from tocsin.enrich.geoparse import Geoparser
        from tocsin.eval.geoparse import evaluate_file

        if half not in {"all", "tune", "test"}:
            _fail(f"--half must be all, tune or test, not {half!r}")
        try:
            with _open_text(gold, "r") as f:
                f.read(1)
        except (OSError, EOFError) as e:
            _fail(f"cannot read {gold}: {e}")
        try:
            result = evaluate_file(gold, Geoparser.load(), half=half)
        except (ValueError, KeyError) as e:
            _fail(f"{gold}: not a geo gold file ({e}); see shared/data/README.md")
            return
        sys.stdout.write(json.dumps(result, indent=1) + "\n")

    gaz = typer.Typer(help="Build or inspect the offline gazetteer index.",
                      no_args_is_help=True)
    app.add_typer(gaz, name="gazetteer")

    @gaz.command("build")
    def gazetteer_build(
        if_missing: bool = typer.Option(
            False, "--if-missing", help="Do nothing when this version is already built "
            "(for make and CI)."),
    ) -> None:
        """Build the index from installed packages into $TOCSIN_CACHE (~/.cache/tocsin)."""
        from tocsin.enrich.geoparse.gazetteer import build, index_path

        path = index_path()
        if if_missing and (path / "meta.json").exists():
            meta = json.loads((path / "meta.json").read_text())
            sys.stdout.write(json.dumps({"path": str(path), "built": False, **meta},
                                        indent=1) + "\n")
            return
        with _err.status(f"building gazetteer into {path} (about a minute)"):
            gz = build(path)
        sys.stdout.write(json.dumps({"path": str(path), "built": True, **gz.meta}, indent=1)
                         + "\n")

    @gaz.command("info")
    def gazetteer_info() -> None:
        """Size, entity and name counts, build time, load time and memory of the index."""
        import resource

        from tocsin.enrich.geoparse.gazetteer import index_path

        path = index_path()
        meta_file = path / "meta.json"
        if not meta_file.exists():
            _fail(f"no gazetteer at {path}; run `tocsin gazetteer build`")
        from tocsin.enrich.geoparse import Geoparser
        from tocsin.enrich.geoparse.gazetteer import Gazetteer

        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.time()
        gz = Gazetteer.load(path)
        load_s = time.time() - t0
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        Geoparser(gz).parse("Flooding in Kharkiv and Houston")  # the recogniser's tables
        meta = json.loads(meta_file.read_text())
        sys.stdout.write(json.dumps({
            "path": str(path), **meta, "load_seconds": round(load_s, 2),
            "load_rss_mb": round((rss1 - rss0) / 1024, 1),
            # the whole process, ready to geoparse (the Arabic/Hebrew/CJK automaton is
            # loaded on first use and adds ~50 MB then)
            "process_peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "process_rss_mb": _rss_mb(),
        }, indent=1) + "\n")
