# The two commands a newcomer needs: `make serve` and `make test`. Each sets up .venv when
# it is missing or older than pyproject.toml, so nothing has to be installed by hand first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LIGHTHOUSE := .lighthouse/node_modules/.bin/lighthouse
SITEMAP_XSD := .lighthouse/node_modules/sitemap/schema/sitemap.xsd

.PHONY: serve check test test-tools fuzz bench bench-scale bench-soak bench-tools lint format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,speed]'
	touch $(STAMP)

# `make serve PORT=8090` serves on another port (links name it too).
PORT ?= 8080
serve: $(STAMP)
	$(BIN)/syndication serve --port $(PORT)

# The fast tier, after each change (under a minute on two cores): the linters, then every
# test that runs in pytest's own process (no browser, no program from Debian or npm, no
# server or command started as a process, no long scale run, no root), on all cores, each
# generated test on a tenth of its examples.
CHECK_TESTS := not browser and not tools and not processes and not slow and not root
# (Bytecode is kept, whatever PYTHONDONTWRITEBYTECODE says: each worker imports everything.)
check: lint
	PYTHONDONTWRITEBYTECODE= SYNDICATION_TEST_EXAMPLES=0.1 \
	  $(BIN)/python -m pytest -q -n auto --dist worksteal -m "$(CHECK_TESTS)"

# Everything: the tiers above and below together, every example, on two workers (a test
# file stays on one, so the servers its tests share start once): about six minutes.
test: $(STAMP) test-tools $(LIGHTHOUSE) $(SITEMAP_XSD)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# The fuzzers' long runs: 20,000 generated files through parse and every document format
# (prints the slowest file and the most memory one file took), and 20,000 generated requests
# over every public route (prints how many answered 5xx: none may), and 200 random sequences
# of editors' changes after each of which every URL must equal a fresh render (about 25 min).
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz_ingest --examples 20000
	$(BIN)/python -m tests.fuzz_surface --requests 20000
	$(BIN)/python -m tests.fuzz_chain --examples 200 --steps 20

bench: $(STAMP) bench-tools
	$(BIN)/python -m tests.benchmarks.run
	$(BIN)/python -m tests.benchmarks.edge
	$(BIN)/python -m tests.benchmarks.search_recall
	$(BIN)/python -m tests.benchmarks.search_stall
	$(BIN)/python -m tests.benchmarks.imports
	$(BIN)/python -m tests.benchmarks.newsletters
	$(BIN)/python -m tests.benchmarks.picture_rights

# The same requests on 10,000 and 1,000,000 articles (generating and ingesting the large
# archive takes about an hour the first time; both are kept in bench-data/).
bench-scale: $(STAMP) bench-tools
	$(BIN)/python -m tests.benchmarks.scale

# Ten minutes of steady mixed load on serve --workers 2 with an edit every 3 seconds; then
# ten more through Varnish in front of a primary and a replica (the edge's hit ratio).
bench-soak: $(STAMP) bench-tools
	$(BIN)/python -m tests.benchmarks.soak
	$(BIN)/python -m tests.benchmarks.edge --soak-minutes 10

# What the tests use from Debian, installed once: Chromium for the browser test, Java for
# the W3C HTML checker, Varnish and its xkey module for the edge, docker-compose to validate
# its file, faketime to run the fast tier with the clock moved (.ci/run), FUSE's library to
# mount a file system that hangs (tests/stalled_fs.py). (Litestream comes from PyPI
# with the package.)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
TEST_TOOLS := chromium java varnishd docker-compose faketime
test-tools:
	@for tool in $(TEST_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	dpkg -s varnish-modules >/dev/null 2>&1 || missing=1; \
	ldconfig -p | grep -q 'libfuse\.so\.2 ' || missing=1; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    chromium default-jre-headless varnish varnish-modules docker-compose faketime \
	    libfuse2; \
	fi

# Lighthouse scores pages in the tests; 12.2.3 is the newest that runs on Debian's Node 20.
$(LIGHTHOUSE):
	@command -v npm >/dev/null || ($(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm)
	npm install --prefix .lighthouse --no-audit --no-fund --silent -E lighthouse@12.2.3

# sitemaps.org's XML schema for sitemaps, as the `sitemap` package on npm ships it: the
# crawl of the sample site (tests/site_crawl.py) checks every sitemap with it.
$(SITEMAP_XSD): $(LIGHTHOUSE)
	npm install --prefix .lighthouse --no-audit --no-fund --silent -E sitemap@8.0.3

# nginx (the reference for feed serving), Varnish (the edge) and wrk (the load), once.
bench-tools:
	@command -v nginx >/dev/null && command -v wrk >/dev/null && command -v varnishd >/dev/null \
	  && dpkg -s varnish-modules >/dev/null 2>&1 || \
	  ($(SUDO) apt-get update -qq && \
	   $(SUDO) apt-get install -y -qq nginx wrk varnish varnish-modules)

lint: $(STAMP)
	$(BIN)/ruff check syndication tests
	$(BIN)/ruff format --check syndication tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format syndication tests
	$(BIN)/ruff check --fix syndication tests

clean:
	rm -rf $(VENV) .lighthouse syndication.db syndication.db-wal syndication.db-shm syndication.db.lock .pytest_cache .mypy_cache .ruff_cache
