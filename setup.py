"""Only the optional C extension lives here; everything else is in pyproject.toml.

``optional=True``: where no C compiler is found, the install goes on without it and the
detector uses its pure-Python twin (``tocsin.detect.scoring``), with identical results.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("tocsin.detect._accumulate", ["src/tocsin/detect/_accumulate.c"],
                  optional=True),
    ],
)
