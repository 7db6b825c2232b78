# Two commands do everything on a fresh machine:
#   make demo   create .venv, install, run a batch on the shipped sample, print where the outputs are
#   make test   install with the dev extras, check the declared dependencies (deptry) and the
#               layers of the package (import-linter), run the whole suite (two processes,
#               pytest-xdist, whole test files per process)
PYTHON ?= python3.11
VENV   ?= .venv
BIN     = $(VENV)/bin
OUT    ?= out/demo

.PHONY: demo test install install-dev browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch first, pinned: the CPU build of 2.13.0 (an unpinned torch pulls a multi-GB CUDA build)
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix >/dev/null
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Headless Chromium and its driver for the report and web workspace tests (Debian packages;
# skipped where apt is unavailable: the browser tests then say why they are skipped)
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || \
	  { command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq >/dev/null && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
	  echo "chromium / chromium-driver not installed: the browser tests will be skipped"; }

demo: install
	$(BIN)/mobilite demo --out $(OUT)
	@echo ""
	@echo "Outputs of the demo batch: $(OUT)/ (report: $(OUT)/report.html, employer files: $(OUT)/employeurs/)"

test: install-dev browser
	$(BIN)/deptry .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis
