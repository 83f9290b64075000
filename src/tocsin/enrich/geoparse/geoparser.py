"""The geoparser facade: recognise, then resolve, for one text or a batch."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from tocsin.enrich.geoparse.gazetteer import Gazetteer, load_or_build
from tocsin.enrich.geoparse.recognise import Recogniser
from tocsin.enrich.geoparse.resolve import DEFAULT_WEIGHTS, Weights, resolve
from tocsin.model import Place

#: locate() prefers the more specific: continent < country < admin-1 < admin-2 < place
_SPECIFICITY = {"CONT": 0, "PCLI": 1, "ADM1": 2, "ADM2": 3, "PPL": 4}
#: A report's location must be at least this confident; a doubtful town is worse than a
#: sure country for routing alerts to the right responders.
LOCATE_MIN_SCORE = 0.5

_shared: dict[Path | None, Geoparser] = {}
_lock = threading.Lock()


class Geoparser:
    """Finds places in text in any script and resolves them to GeoNames, offline."""

    def __init__(self, gazetteer: Gazetteer, weights: Weights = DEFAULT_WEIGHTS) -> None:
        self.gazetteer = gazetteer
        self.recogniser = Recogniser(gazetteer)
        self.weights = weights

    @classmethod
    def load(cls, path: Path | None = None) -> Geoparser:
        """The cached index, built on first use; one shared instance per process and path.

        Sharing matters: the index is ~200 MB in memory and every stage and CLI command
        in a process should use the same copy.
        """
        with _lock:
            gp = _shared.get(path)
            if gp is None:
                gp = _shared[path] = cls(load_or_build(path))
            return gp

    def parse(self, text: str, *, lang: str | None = None,
              home_country: str | None = None) -> list[Place]:
        """Resolved places in ``text``, in order; ``Place.score`` is the confidence."""
        if not text:
            return []
        mentions = self.recogniser.find(text, lang)
        if not mentions:  # four posts in ten: what resolve would answer, without the call
            return []
        return resolve(self.gazetteer, text, mentions, lang=lang, home_country=home_country,
                       weights=self.weights)

    def parse_batch(self, texts: Sequence[str], langs: Sequence[str | None] | None = None
                    ) -> list[list[Place]]:
        langs = langs if langs is not None else [None] * len(texts)
        return [self.parse(t, lang=lg) for t, lg in zip(texts, langs, strict=True)]

    @staticmethod
    def locate(places: Iterable[Place]) -> Place | None:
        """The report's location: the most specific place among the confident ones.

        Ties go to the place named most often, then to the higher score, then to the
        first mention: a post about "Goma, DR Congo" is located in Goma, not the country.
        """
        ps = [p for p in places if p.geonameid is not None and p.score >= LOCATE_MIN_SCORE]
        if len(ps) < 2:
            return ps[0] if ps else None
        counts: dict[int, int] = {}
        for p in ps:
            counts[p.geonameid] = counts.get(p.geonameid, 0) + 1  # type: ignore[index]
        return max(ps, key=lambda p: (_SPECIFICITY.get(p.feature or "", 0),
                                      counts[p.geonameid], p.score, -p.start))  # type: ignore
