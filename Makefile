# Two commands for a fresh machine; each sets up .venv from requirements.txt first if needed.
#   make lab    open JupyterLab on the course
#   make test   run the whole test suite, every notebook included (nbval)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: lab test doctor run lint clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# Colab's ipywidgets, for the test that runs every widget under 7.7.1 too (offline at test time).
	$(BIN)/python -m pip download --quiet --no-deps --dest $(VENV)/side-wheels \
		ipywidgets==7.7.1 ipython_genutils==0.2.0 || echo "could not download ipywidgets 7.7.1: that test will skip"
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

doctor: $(STAMP)
	$(BIN)/python -m medcourse doctor

run: $(STAMP)
	$(BIN)/python -m medcourse run

lint: $(STAMP)
	$(BIN)/ruff check medcourse tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
