# Set-up and everyday commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# One stamp per set of extras installed, for this pyproject.toml: `make run` installs what the
# main job needs and nothing more; `make test` adds the test extras (pyspark, playwright, ...).
SUM := $(shell cksum pyproject.toml | cut -d' ' -f1)
STAMP := $(VENV)/.installed-core-$(SUM)
TEST_STAMP := $(VENV)/.installed-test-$(SUM)
OUT := out
# The native core: a change to it rebuilds the extension (cargo, through maturin; incremental).
NATIVE := $(shell find native -path native/target -prune -o \( -name '*.rs' -o -name 'Cargo.*' -o -name '*.bin' \) -print 2>/dev/null)
CARGO := cargo --quiet
# pyo3's build script asks this interpreter which Python it builds for.
export PYO3_PYTHON := $(abspath $(BIN)/python)

.PHONY: run test test-fast lint format bench clean browser java

# install EXTRAS: the package (editable; the native core compiled in release mode) with them.
define install
	@command -v cargo >/dev/null || { echo "neardup's native core needs cargo (Rust): https://rustup.rs, or install a wheel built elsewhere (README, Installing without Rust)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Building neardup (the native core compiles in release mode: about a minute the first time)..."
	$(BIN)/python -m pip install --quiet -e '.$(1)'
	@# An editable install compiles no bytecode, and with PYTHONDONTWRITEBYTECODE set nothing
	@# ever writes it: every start would compile neardup's modules again (70 ms).
	$(BIN)/python -m compileall -q src
endef

$(STAMP): pyproject.toml $(NATIVE)
	$(call install,)
	@rm -f $(VENV)/.installed-core-*
	@touch $@

# The test extras hold the core's requirements too: a test install serves `make run` as well.
$(TEST_STAMP): pyproject.toml $(NATIVE)
	$(call install,[test])
	@rm -f $(VENV)/.installed-*
	@touch $@ $(STAMP)

## run: install, deduplicate the bundled example corpus, and say where the results are
run: $(STAMP)
	$(BIN)/neardup dedup examples/news.jsonl --output $(OUT)/news.dedup.jsonl \
		--pairs $(OUT)/news.pairs.jsonl --clusters $(OUT)/news.clusters.jsonl
	@echo "Results are in $(OUT)/: news.dedup.jsonl (kept records), news.pairs.jsonl, news.clusters.jsonl"

## test: install what tests need (Chromium for the report test, Java for Spark) and run every test
test: $(TEST_STAMP) browser java lint
	$(CARGO) test --manifest-path native/Cargo.toml -p neardup-kernels
	$(BIN)/python -m pytest -q

## browser: Debian's Chromium, which the report test drives headless (installed when missing)
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the report test..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get install -y -qq chromium >/dev/null; } \
		|| echo "Could not install chromium: the browser test will be skipped."; }

## java: Debian's Java 17 runtime, which the Spark engine's tests need (installed when missing)
java:
	@command -v java >/dev/null 2>&1 || { \
		echo "Installing Debian's openjdk-17-jre-headless for the Spark tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO="sudo -n"; fi; \
		{ $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } \
		|| echo "Could not install Java: the Spark tests will be skipped."; }

## test-fast: the tests that need neither ../shared nor much time
test-fast: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

## bench: neardup against rensa, datasketch and datatrove on two generated 20,000-document corpora, plus 10k/100k rows
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/speed.py --scale 10000 100000

## bench-index: the persistent index at 100,000 documents: add rate, query latency, HTTP under load
.PHONY: bench-index
bench-index: $(STAMP)
	$(BIN)/python benchmarks/index_speed.py --documents 100000 --http-queries 20000 --clients 8

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples
	@$(CARGO) fmt --version >/dev/null 2>&1 && $(CARGO) clippy --version >/dev/null 2>&1 || { \
		echo "make lint needs rustfmt and clippy: rustup component add rustfmt clippy"; exit 1; }
	$(CARGO) fmt --manifest-path native/Cargo.toml --all -- --check
	$(CARGO) clippy --manifest-path native/Cargo.toml --all-targets -- -D warnings

format: $(TEST_STAMP)
	$(BIN)/ruff format src tests benchmarks examples
	$(BIN)/ruff check --fix src tests benchmarks examples
	$(CARGO) fmt --manifest-path native/Cargo.toml --all

clean:
	rm -rf $(VENV) $(OUT) build src/*.egg-info .pytest_cache .ruff_cache .hypothesis native/target \
		src/neardup/core/kernel*.so

## accuracy: the sweep behind the defaults (benchmarks/ACCURACY.md), on ../shared/data
.PHONY: accuracy
accuracy: $(TEST_STAMP)
	$(BIN)/python benchmarks/accuracy.py --seeds 1 2 --reuters 4000
