"""tocsin: detect, locate and corroborate crisis events in public multilingual streams."""

__version__ = "0.1.0"
