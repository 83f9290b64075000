import pytest

from tocsin.config import DEFAULT_FEEDS, ConfigError, load_config
from tocsin.detect import create_detector
from tocsin.pipeline import DETECTOR_STATE_KEY
from tocsin.privacy import Pseudonymiser
from tocsin.runtime import build_detector, build_sources
from tocsin.sources.feeds import FeedSource
from tocsin.sources.files import JsonLinesSource
from tocsin.store.sqlite import SQLiteStore


def test_defaults_watch_real_public_feeds():
    cfg = load_config(None)
    assert cfg.port == 8040 and cfg.host == "127.0.0.1"
    assert {s["name"] for s in cfg.sources} == {s["name"] for s in DEFAULT_FEEDS}
    assert all(s["url"].startswith("https://") for s in cfg.sources)


def test_toml_config_builds_plugin_sources(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('port = 9000\ndb = "data/x.db"\nfeed_interval = 60\n'
                 '[[sources]]\nkind = "feed"\nname = "Agency"\nurl = "https://example.org/rss"\n'
                 '[[sources]]\nkind = "jsonl"\npath = "rec.jsonl"\nspeed = 10\n', encoding="utf-8")
    cfg = load_config(p)
    assert cfg.port == 9000 and cfg.db_path == tmp_path / "data/x.db"
    srcs = build_sources(cfg, Pseudonymiser(b"x" * 32))
    assert isinstance(srcs[0], FeedSource) and srcs[0].interval == 60
    assert isinstance(srcs[1], JsonLinesSource) and srcs[1].speed == 10


@pytest.mark.parametrize("text,msg", [
    ("port = [", "not valid TOML"),
    ('mode = "turbo"', "mode must be"),
    ("[[sources]]\nname = 'x'", "has no 'kind'"),
    ('database_url = "mysql://x"', "postgresql"),
    ("[detector]\nmerge_intervall = 3600", r"\[detector\]: unknown detector option\(s\): "
                                          "merge_intervall"),
    ('[detector]\nmerge_interval = "6h"', "merge_interval must be a number, not '6h'"),
    ("[detector]\npromote_reports = 2.5", "promote_reports must be a whole number"),
    ("[detector]\nmerge_substories = 1", "merge_substories must be true or false"),
    ("detector = 3", "must be a table"),
])
def test_bad_configs_say_what_is_wrong(tmp_path, text, msg):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=msg):
        load_config(p)


def test_unknown_source_kind(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('[[sources]]\nkind = "carrier-pigeon"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown source kind 'carrier-pigeon'"):
        build_sources(load_config(p), Pseudonymiser(b"x" * 32))


def test_detector_options_come_from_the_config(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text("[detector]\nmerge_interval = 21600\npromote_reports = 5\n", encoding="utf-8")
    cfg = load_config(p)
    assert cfg.detector == {"merge_interval": 21600.0, "promote_reports": 5}
    store = SQLiteStore(tmp_path / "t.db")
    det = build_detector(store, options=cfg.detector)
    assert det.cfg.merge_interval == 21600.0 and det.cfg.promote_reports == 5
    assert det.cfg.merge_every == 1000  # the rest: defaults


def test_configured_options_override_those_a_restored_detector_was_saved_with(tmp_path):
    store = SQLiteStore(tmp_path / "t.db")
    store.set_state(DETECTOR_STATE_KEY, create_detector(split_min=30, merge_every=500).snapshot())
    det = build_detector(store, options={"merge_every": 2000})
    assert det.cfg.merge_every == 2000  # configured: wins
    assert det.cfg.split_min == 30  # not configured: as it was saved
