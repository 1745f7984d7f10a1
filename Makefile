# Commands for a fresh machine; each sets up .venv the first time (Python 3.11-3.13 needed):
#   make lab         open JupyterLab on the course
#   make test        the whole test suite, every notebook included (nbval): what CI runs
#   make test-fast   the unit tests only (no notebooks, no browser, nothing slow): about 2 min 15 s on 2 cores
#
# A lighter environment for students, with one framework and no test tools (a notebook then runs
# with FRAMEWORKS = ["pytorch"] or ["tensorflow"] in its parameters cell):
#   make lab FRAMEWORK=pytorch        (requirements-student-pytorch.txt)
#   make lab FRAMEWORK=tensorflow     (requirements-student-tensorflow.txt)
#
# PyTorch: on Linux, PyPI's torch is the CUDA build (about 2.5 GB more), so PyTorch's CPU build is taken
# from its own index. With an NVIDIA GPU, take PyPI's CUDA build instead:
#   make lab TORCH_INDEX=
# (or another of PyTorch's indexes, e.g. TORCH_INDEX=https://download.pytorch.org/whl/cu130).
PYTHON      ?= python3
VENV        ?= .venv
FRAMEWORK   ?=
PYTEST_ARGS ?=
# pytest-xdist workers for make test / test-fast: each takes one core (conftest.py) and a whole file or
# notebook at a time; 2 halves CI's time on its 2 cores. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= 2
BIN          = $(VENV)/bin

CPU_TORCH_INDEX = https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(if $(filter Linux,$(shell uname -s 2>/dev/null)),$(CPU_TORCH_INDEX))

ifeq ($(FRAMEWORK),)
LAB_REQUIREMENTS = requirements.txt
else ifneq ($(filter $(FRAMEWORK),pytorch tensorflow),)
LAB_REQUIREMENTS = requirements-student-$(FRAMEWORK).txt
else
$(error FRAMEWORK must be pytorch or tensorflow (or left out, for both and the test tools), got '$(FRAMEWORK)')
endif

# The index a file is installed with: PyTorch's, unless the file has no PyTorch.
index_for = $(if $(findstring student-tensorflow,$(1)),,$(TORCH_INDEX))

# What each environment file was last installed from: a stamp per file, redone when the file changes.
FULL_STAMP = $(VENV)/.installed-requirements.txt
LAB_STAMP  = $(VENV)/.installed-$(LAB_REQUIREMENTS)
FAST_TESTS = not notebook and not browser and not slow

.PHONY: lab test test-fast doctor run lint clean

$(VENV)/.installed-%.txt: %.txt requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# An unreachable index would cost pip 7.5 s of retries for every package (over 20 minutes in all),
	@# so it is checked once first.
	@if [ -n "$(call index_for,$<)" ] && ! $(BIN)/python -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30)' "$(call index_for,$<)/torch/" >/dev/null 2>&1; then \
		echo "Cannot reach $(call index_for,$<), where PyTorch's CPU build comes from."; \
		echo "Check the connection, or take PyPI's build of PyTorch (on Linux the CUDA build, about 2.5 GB more):"; \
		echo "    make $(or $(MAKECMDGOALS),lab) TORCH_INDEX="; \
		exit 1; \
	fi
	$(BIN)/python -m pip install --quiet $(if $(call index_for,$<),--extra-index-url $(call index_for,$<)) -r $<
	@# Colab's ipywidgets, for the test that runs every widget under 7.7.1 too (offline at test time).
	$(if $(filter requirements,$*),$(BIN)/python -m pip download --quiet --no-deps --dest $(VENV)/side-wheels \
		ipywidgets==7.7.1 ipython_genutils==0.2.0 || echo "could not download ipywidgets 7.7.1: that test will skip")
	touch $@

lab: $(LAB_STAMP)
	$(BIN)/jupyter lab notebooks/

test: $(FULL_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

test-fast: $(FULL_STAMP)
	$(BIN)/python -m pytest -m "$(FAST_TESTS)" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

doctor: $(LAB_STAMP)
	$(BIN)/python -m medcourse doctor --requirements $(LAB_REQUIREMENTS)

run: $(LAB_STAMP)
	$(BIN)/python -m medcourse run

lint: $(FULL_STAMP)
	$(BIN)/ruff check medcourse tests tools

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
