"""The ``tocsin`` command line.

Each module in this package that defines ``register(app, eval_app)`` contributes its
commands; this keeps one module per capability (run/replay, classify, geoparse, detect, ...)
instead of one growing file.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

app = typer.Typer(
    name="tocsin",
    help="Detect, locate and corroborate crisis events in public multilingual streams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
eval_app = typer.Typer(help="Score tocsin's output against gold-labelled data (JSON on stdout).",
                       no_args_is_help=True)
app.add_typer(eval_app, name="eval")

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _mod.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_mod}")
    if hasattr(_module, "register"):
        _module.register(app, eval_app)


def main() -> None:
    app()
