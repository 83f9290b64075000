"""The line we hold, as tests: no API parameter, export or response field is about a person."""

from __future__ import annotations

import json
import re

from tocsin.api.app import create_app
from tocsin.config import Config
from tocsin.runtime import build_state

PERSONAL = re.compile(r"author|user(?!_agent)|handle|account|person|profile|watchlist", re.I)


def test_no_api_parameter_filters_or_groups_by_person(tmp_path):
    state = build_state(Config(home=tmp_path), ingest=False)
    schema = create_app(state).openapi()
    params = [p["name"] for path in schema["paths"].values() for op in path.values()
              if isinstance(op, dict) for p in op.get("parameters", [])]
    assert params, "the schema should list query parameters"
    assert [p for p in params if PERSONAL.search(p)] == []
    # nor does any documented response or request body field name a person
    assert not PERSONAL.search(" ".join(schema.get("components", {}).get("schemas", {})))
    state.store.close()


def test_event_provenance_carries_no_author_key(tmp_path):
    from datetime import datetime, timezone

    from tocsin.model import Report

    state = build_state(Config(home=tmp_path), ingest=False)
    state.store.add_reports([Report(id="r1", source="s", text="flood", author_key="a_123",
                                    published_at=datetime.now(timezone.utc), event_id="e1")])
    rows = state.store.event_reports("e1", with_text=True)
    assert rows and "author_key" not in json.dumps(rows) and "a_123" not in json.dumps(rows)
    state.store.close()
