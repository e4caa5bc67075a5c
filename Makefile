# Two entry points, each doing all of its own set-up on a fresh machine:
#   make demo  — create .venv, install, generate synthetic raw data, run the whole study, write results/index.html
#   make test  — create .venv, install, run the full test suite (notebooks included)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.pdtk-installed
DEMO_N ?= 5000
JOBS   ?= 2

.PHONY: demo test lint bench clean install anonymised-data ner-model

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# pycanon (independent k-anonymity check in the tests) pins exact numpy/pandas versions: install without deps
	$(BIN)/python -m pip install --quiet --no-deps "pycanon>=1.0"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/pdtk synth synthetic_raw --n $(DEMO_N) --seed 2021
	$(BIN)/pdtk run protocols/demo.yml
	@echo "Open results/index.html in a browser."

test: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) --nbmake tests notebooks

# ruff (incl. complexity <= 15 and lines <= 110, see pyproject.toml), formatting, and the import-linter contract
lint: $(STAMP)
	$(BIN)/ruff check toolkit tests bench scripts
	$(BIN)/ruff format --check toolkit
	$(BIN)/lint-imports

bench: $(STAMP)
	for f in bench/bench_*.py; do $(BIN)/python $$f || exit 1; done

# Regenerate the shipped, already anonymised SYNTHETIC demo data in anonymised_data/ (committed).
anonymised-data: $(STAMP)
	$(BIN)/python scripts/build_anonymised_data.py

# Train the Norwegian NER model on NorNE (../shared/corpora/norne, never committed) and ship it in the package
# with its card (scores on NorNE dev, checksum). CPU only; about an hour on 2 cores. Not part of `make test`.
NORNE ?= ../shared/corpora/norne
NER_CONFIG ?= training/ner/config_fast.cfg
ner-model: $(STAMP)
	$(BIN)/python training/ner/prepare_norne.py $(NORNE) build/ner
	$(BIN)/python -m spacy train $(NER_CONFIG) --output build/ner/model
	$(BIN)/python training/ner/package_model.py build/ner/model/model-best $(NORNE) --config $(NER_CONFIG)

clean:
	rm -rf results synthetic_raw restricted .pytest_cache
