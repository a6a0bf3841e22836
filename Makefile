# Omnichannel customer-operations course kit. Run `make` (or `make help`) for the targets.
# Needs GNU make, Python 3.11 and network access to PyPI for the first `make venv`.

PYTHON ?= $(shell command -v python3.11 >/dev/null 2>&1 && echo python3.11 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.stamp
UV_VERSION := 0.13.8
NB ?=
PYTEST_ARGS ?=
BENCH ?= synth identity clv attribution
# site-packages folder of a separate venv holding ChannelAttribution (a benchmark peer only, GPL)
CA_PATH ?= $(CHANNELATTRIBUTION_PATH)

# Determinism: identical numbers (and bytes) on every machine.
export PYTHONHASHSEED := 0
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help
.PHONY: help venv data data-if-missing manifest data-card lab test notebooks lock bench clean

help: ## Show this help
	@echo "Usage: make <target>   (Python: $(PYTHON))"
	@echo
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):.*## (.*)$$/  \1\t\2/' | expand -t 20

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -r requirements.lock
	$(PY) -m pip install --no-deps -e .
	touch $@

venv: $(STAMP) ## Create .venv with the exact pins of requirements.lock (+ opsutils, editable)

data: venv ## Regenerate the default datasets (datasets/*.parquet), even if present
	$(PY) -m opsutils.datasets generate --force

data-if-missing: venv
	$(PY) -m opsutils.datasets generate

manifest: venv ## Re-pin datasets/manifest.json (content hashes of the default world)
	$(PY) -m opsutils.datasets manifest

data-card: venv data-if-missing ## Re-render the data card (datasets/README.md) from the schema and the truth
	$(PY) scripts/make_data_card.py

lab: venv data-if-missing ## Open JupyterLab on notebooks/00_start_here.ipynb
	$(VENV)/bin/jupyter lab notebooks/00_start_here.ipynb

test notebooks: export MPLBACKEND := Agg

test: venv data-if-missing ## Run the doctests, unit tests and every notebook (nbval)
	$(PY) -m pytest --doctest-modules opsutils tests notebooks --nbval-lax --nbval-current-env -p no:cacheprovider $(PYTEST_ARGS)

notebooks: venv data-if-missing ## Re-execute every notebook in place (or only NB="path ...")
	$(PY) scripts/run_notebooks.py $(NB)

lock: ## Re-resolve requirements.lock from pyproject.toml (with a throwaway uv)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(PYTHON) -m pip install --quiet --target "$$tmp" uv==$(UV_VERSION) && \
	"$$tmp/bin/uv" pip compile --quiet --universal --python-version 3.11 --extra course \
		pyproject.toml -o requirements.lock --no-header

bench: venv data-if-missing ## Run the benchmarks (or only BENCH="clv ..."): benchmarks/bench_*.py
	@set -e; for b in $(BENCH); do echo "== benchmarks/bench_$$b.py"; \
		CHANNELATTRIBUTION_PATH="$(CA_PATH)" $(PY) benchmarks/bench_$$b.py; done

clean: ## Delete the generated datasets and .venv
	rm -rf datasets/*.parquet datasets/truth.json datasets/world_config.json \
		datasets/_generated datasets/.tmp-* $(VENV)
