"""Only the optional C extensions live here; everything else is in pyproject.toml.

``optional=True``: where no C compiler is found, the install goes on without them and each
module uses its Python twin (``tocsin.detect.scoring``, ``tocsin.enrich.dedup``,
``tocsin.enrich.language``, ``tocsin.enrich.geoparse.recognise``,
``tocsin.enrich.classify.linear``), with identical results.
"""

from setuptools import Extension, setup

#: the checked-buffer helper several extensions include
BUFFER_H = "src/tocsin/_buffer.h"

setup(
    ext_modules=[
        # -ffp-contract=off: no fused multiply-add, so the scores match the Python twins'
        Extension("tocsin.detect._accumulate", ["src/tocsin/detect/_accumulate.c"],
                  extra_compile_args=["-ffp-contract=off"], optional=True),
        Extension("tocsin.enrich._dedup", ["src/tocsin/enrich/_dedup.c"], depends=[BUFFER_H],
                  optional=True),
        Extension("tocsin.enrich._langwalk", ["src/tocsin/enrich/_langwalk.c"],
                  depends=[BUFFER_H], optional=True),
        Extension("tocsin.enrich.geoparse._recognise", ["src/tocsin/enrich/geoparse/_recognise.c"],
                  optional=True),
        # -O3: the fixed-width row loop is vectorised; -ffp-contract=off: no fused
        # multiply-add, so the sums match numpy's bit for bit
        Extension("tocsin.enrich.classify._products", ["src/tocsin/enrich/classify/_products.c"],
                  depends=[BUFFER_H], extra_compile_args=["-O3", "-ffp-contract=off"],
                  optional=True),
    ],
)
