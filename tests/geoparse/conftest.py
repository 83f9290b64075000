"""Shared fixtures: a small gazetteer built once per session from the installed packages.

The small index keeps every country and continent but only the populated places and
regions of the countries below (chosen to include crisis regions and the namesakes that
make resolution hard: Rafah in Egypt and Gaza, London in Canada, Paris in Texas...).
Building it takes seconds; the full index is used only by the data tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.enrich.geoparse import Geoparser
from tocsin.enrich.geoparse.gazetteer import Gazetteer, build, index_path

TEST_COUNTRIES = {"PS", "IL", "EG", "JO", "LB", "SY", "UA", "RU", "HT", "CD", "RW", "SD",
                  "FR", "HR", "GB", "US", "CA", "TR", "DE"}
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data


@pytest.fixture(scope="session")
def small_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("tocsin-cache")
    build(index_path(base), only_countries=TEST_COUNTRIES)
    return base


@pytest.fixture(scope="session")
def gp(small_cache: Path) -> Geoparser:
    return Geoparser(Gazetteer.load(index_path(small_cache)))


@pytest.fixture(scope="session")
def full_gp() -> Geoparser:
    """The real cached index. Building it takes about a minute, too long for the unit
    suite, so tests that need it skip unless `tocsin gazetteer build` has run (make does)."""
    if not (index_path() / "meta.json").exists():
        pytest.skip(f"no built gazetteer at {index_path()}: run `tocsin gazetteer build`")
    return Geoparser.load()


def data_file(name: str) -> Path:
    p = DATA / "geo" / name
    if not p.exists():
        pytest.skip(f"{p} absent: the geo corpora live in ../shared/data (not in the repo)")
    return p


@pytest.fixture
def cache_env(small_cache: Path, monkeypatch: pytest.MonkeyPatch):
    """Point Geoparser.load() (used by the CLI) at the small index."""
    from tocsin.enrich.geoparse import geoparser

    monkeypatch.setenv("TOCSIN_CACHE", str(small_cache))
    monkeypatch.setattr(geoparser, "_shared", {})
    return small_cache
