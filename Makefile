# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
FLASK = $(BIN)/flask --app wsgi

.PHONY: install install-test migrate seed run test test-stress lint typecheck coverage bench-ingest bench-sweep clean reset

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed demo --if-empty

run: seed
	@echo "API on http://$${BIND:-127.0.0.1:5000}/api/v1 (docs: /api/v1/docs); scheduler every $${SWEEP_INTERVAL_SECONDS:-60} s"
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: install-test
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# Settings of the three tools are in pyproject.toml.
lint: install-test
	$(BIN)/ruff check .

typecheck: install-test
	$(BIN)/mypy monitor schemas

# The whole suite under coverage (branches), then the report, also when a test fails
# (the suite's status is make's).
coverage: install-test
	rm -f .coverage .coverage.*
	status=0; $(BIN)/coverage run -m pytest -q $(PYTEST_ARGS) || status=$$?; \
	$(BIN)/coverage combine -q && $(BIN)/coverage report; exit $$status

# Not part of CI: the suite three times beside two CPU burners and a second copy of the app.
test-stress: install-test
	VENV=$(VENV) PYTEST_ARGS="$(PYTEST_ARGS)" .ci/stress

bench-ingest: install
	$(BIN)/python bench/ingest.py

bench-sweep: install
	$(BIN)/python bench/sweep.py

reset:
	rm -f instance/monitor.sqlite3 instance/monitor.sqlite3-wal instance/monitor.sqlite3-shm instance/monitor.sqlite3.writelock

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
