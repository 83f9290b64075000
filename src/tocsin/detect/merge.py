"""Deciding that two clusters are one story: shared *specific anchors*.

Online clustering splits a story as it emerges: while nothing is known yet, "Harvey victims",
"Harvey relief" and "#HurricaneHarvey Houston" open parallel candidates that all grow. A
cosine between whole profiles misses that they are one story (their tails differ) and a
shared hazard word would wrongly fuse two concurrent hurricanes. What the fragments share is
an *anchor*: a feature most of their reports carry that is not generic crisis vocabulary —
a name ("harvey"), a place ("houston", or a GeoNames id, which is the same in every
language). Two clusters are one when the anchors of the smaller are (mostly) anchors of the
larger: an overlap coefficient, so a sub-story ("Harvey" + "Houston") folds into its story
("Harvey").
"""

from __future__ import annotations

from collections.abc import Callable

from .cluster import Cluster
from .features import stem

_GENERIC = """
hurricane storm tropical cyclone typhoon tornado tornadoe twister wind winds rain rainfall
surge landfall category cat earthquake quake tremor aftershock magnitude richter shake
flood flooding flooded floodwater water river fire wildfire blaze smoke burn burning
explosion explode exploded blast bomb bombing bomber attack landslide mudslide tsunami
eruption volcano drought famine outbreak disease epidemic crash accident collapse
disaster emergency crisis catastrophe tragedy devastation devastating damage destroyed
destruction relief help aid donate donation fund fundraiser support volunteer rescue
evacuation evacuate evacuated shelter victim survivor affected people family families home
house pray prayer praying thought condolence dead death die died kill killed toll injured
injury missing safe safety warning watch alert update news breaking live video photo
pic report latest today tonight now new day week time please thank thanks need needs
city town state county area region country world national local government official
ouragan tempête séisme tremblement terre inondation incendie feu explosion aide secours
victime mort morts blessé blessés catastrophe urgence
huracán huracan tormenta sismo terremoto temblor inundación inundacion incendio explosión
ayuda víctima victima muerto muertos herido heridos desastre emergencia
إعصار عاصفة زلزال هزة فيضان فيضانات سيول حريق انفجار مساعدة إغاثة ضحايا قتلى جرحى كارثة
طوارئ
""".split()
GENERIC: frozenset[str] = frozenset(stem(w) for w in _GENERIC) | frozenset(_GENERIC)


def anchors(c: Cluster, idf: Callable[[str], float], min_share: float) -> dict[str, float]:
    """Specific features carried by at least ``min_share`` of the cluster (decayed), by idf."""
    if c.n <= 0.0:
        return {}
    cut = min_share * c.n
    out: dict[str, float] = {}
    for w, v in c.terms.items():
        if v < cut or w in GENERIC:
            continue
        if len(w) > 2 and w[1] == ":" and w[0] != "g":  # only places among non-words
            continue
        out[w] = idf(w)
    return out


def anchor_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """Overlap coefficient of two weighted anchor sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    shared = sum(x for w, x in a.items() if w in b)
    return shared / min(sum(a.values()), sum(b.values()))
