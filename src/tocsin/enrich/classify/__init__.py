"""Classification stage: information type, relevance, hazard and needs of each report.

``Classifier.load()`` gives the shipped fast model (hashed n-grams, multilingual concepts,
linear heads); ``Classifier.load(mode="accurate")`` adds the multilingual encoder where the
fast path is unsure. ``ClassifyStage`` wraps a classifier as a pipeline stage.
"""

from .classifier import Classification, Classifier
from .stage import ClassifyStage

__all__ = ["Classification", "Classifier", "ClassifyStage"]
