# The two commands a newcomer needs: `make demo` and `make test` (see README.md).
# Each installs what it needs: a virtualenv with the package, Debian tools when running as root,
# and an Elasticsearch 8 node built from Maven Central jars (scripts/esnode.sh).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-dev
RUNTIME := $(VENV)/.installed
APT_RUNTIME := tesseract-ocr tesseract-ocr-eng antiword poppler-utils
APT_PACKAGES := $(APT_RUNTIME) chromium libreoffice-writer-nogui postgresql
PYTEST_ARGS ?=
CORPUS ?= ../shared/data/robustness

.PHONY: help venv sysdeps sysdeps-runtime apt test test-fast demo bench elasticsearch robustness eval lint complexity schema clean

help:
	@echo "make demo   - build sample sites and reports, crawl, ingest and serve the UI (embedded backend)"
	@echo "make test   - the full test suite, against a real Elasticsearch node"
	@echo "make bench  - benchmarks (figures side by side, no pass/fail)"
	@echo "make elasticsearch - a local Elasticsearch 8 node on 127.0.0.1 (foreground)"
	@echo "make robustness CORPUS=DIR - extract every file in DIR, count outcomes"
	@echo "make eval   - score extraction against generated ground truth"

# uv (from PyPI) installs in seconds what pip takes minutes for; pip is the fallback.
$(VENV)/.uv:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q uv && touch $@ || echo "uv not available; installing with pip"

# --compile-bytecode: the .pyc files are written once at install (start-up of every command
# without recompiling pydantic and the rest, even under PYTHONDONTWRITEBYTECODE).
define install
	@if [ -x $(VENV)/bin/uv ]; then $(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) -e '$(1)'; \
	else $(PY) -m pip install -q -e '$(1)'; fi
endef

$(STAMP): pyproject.toml $(VENV)/.uv
	$(call install,.[dev])
	@touch $(STAMP) $(RUNTIME)

$(RUNTIME): pyproject.toml $(VENV)/.uv
	$(call install,.)
	@touch $(RUNTIME)

venv: $(STAMP)

# Debian packages: installed with apt-get when missing and running as root; otherwise the
# exact command is printed and the run stops.
sysdeps:
	@$(MAKE) --no-print-directory apt PKGS="$(APT_PACKAGES)"

sysdeps-runtime:
	@$(MAKE) --no-print-directory apt PKGS="$(APT_RUNTIME)"

apt:
	@missing=""; for p in $(PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages; run: sudo apt-get install -y$$missing"; exit 2; \
	  fi; \
	fi

test: sysdeps venv lint
	sh search_api/frontend/build.sh --test-tools
	scripts/esnode.sh build
	scripts/esnode.sh with -- $(PY) -m pytest $(PYTEST_ARGS)

# Everything but the browser and the slowest suites; still runs Elasticsearch.
test-fast: venv
	scripts/esnode.sh with -- $(PY) -m pytest -m "not slow" $(PYTEST_ARGS)

demo: sysdeps-runtime $(RUNTIME)
	sh search_api/frontend/build.sh
	$(VENV)/bin/dhr demo

bench: sysdeps venv
	scripts/esnode.sh build
	ESNODE_HEAP=2g scripts/esnode.sh with -- $(PY) -m bench $(BENCH_ARGS)

elasticsearch:
	scripts/esnode.sh run --port $${PORT:-9200}

robustness: venv
	$(PY) scripts/robustness.py $(CORPUS)

eval: venv
	$(PY) scripts/evaluate.py --split both

# ruff, then mypy (its packages and settings: [tool.mypy] in pyproject.toml); `make test` runs it first.
lint: venv
	$(VENV)/bin/ruff check dhr understanding ingest crawler accountability search_api orchestration samples tests bench scripts
	$(VENV)/bin/mypy

# Blocks of grade D or worse (cyclomatic complexity above 20) in ingest/: the list to split.
complexity: venv
	$(VENV)/bin/radon cc -s -n D ingest

schema: venv
	$(PY) -m dhr.document

clean:
	rm -rf build *.egg-info .pytest_cache
