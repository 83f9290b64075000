"""Geoparsing: find places in text in any script and put them on the map, offline.

``Geoparser.load()`` loads (or first builds) the gazetteer index from installed packages;
``GeoparseStage`` is the pipeline stage; ``bbox_of`` serves event bounding boxes.
"""

from tocsin.enrich.geoparse.geoparser import Geoparser
from tocsin.enrich.geoparse.stage import GeoparseStage, bbox_of

__all__ = ["Geoparser", "GeoparseStage", "bbox_of"]
