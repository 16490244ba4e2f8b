# ARS Assistant — the two commands of the README are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEBIAN_PACKAGES := chromium chromium-driver tesseract-ocr tesseract-ocr-fra poppler-utils
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install run test lint system-deps corpus clean

install: $(STAMP)

# torch first: the CPU build lies on local disk; letting pip resolve it later pulls a CUDA build.
# llama-cpp-python (tests of the chat-model mode) is built portable: a CPU-tuned build uses AMX
# instructions that fault on these virtual machines; --no-cache-dir so that pip never reuses such a
# wheel from its cache.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet --no-cache-dir "llama-cpp-python[server]>=0.3.36"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(BIN)/ars-assistant ingest data/documents --if-empty
	$(BIN)/ars-assistant ui

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

lint: install
	$(BIN)/ruff check ingest index assistant ui eval tests scripts
	$(BIN)/mypy ingest index assistant ui eval

test: install system-deps lint
	$(BIN)/python -m pytest

corpus: install
	$(BIN)/python scripts/render_corpus.py
	$(BIN)/python scripts/render_formats.py

clean:
	rm -rf $(VENV) .ars
