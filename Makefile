# The two commands: `make demo` and `make test`. Everything installs into .venv.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-peers bench-district lint install clean mutate

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

PORT ?= 5000
demo: $(STAMP)
	$(BIN)/timebank --db sqlite:///demo.db demo --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest -q -n auto

bench: $(STAMP)
	$(BIN)/python -m bench

# timebank against django-hordak and plain psycopg on PostgreSQL (not part of bench or test):
# installs hordak into .venv-peers, writes bench/peers.json; see bench/peers/__main__.py.
bench-peers: $(STAMP)
	$(BIN)/python -m bench.peers $(PEERS_ARGS)

# A district on PostgreSQL (issue 16; not part of bench): 200 communities, 500,000 members,
# 10,000,000 entries at DISTRICT_ARGS="--scale 1", then 32 HTTP clients for 60 s; writes
# bench/district.json. Needs TIMEBANK_TEST_POSTGRES_URL; see bench/district.py.
bench-district: $(STAMP)
	$(BIN)/python -m bench.district $(DISTRICT_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check timebank webapi tests bench examples
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .venv-peers .pytest_cache .hypothesis .mypy_cache .ruff_cache

# Mutation testing of timebank/domain/ against tests/unit (not part of test or CI): a score
# per module in bench/mutation.json; see docs/testing.md.
mutate: $(STAMP)
	$(BIN)/python bench/mutate.py
