# The two commands: `make run` and `make test`. Everything they need is installed here,
# from Python 3.11 and make alone.
PYTHON ?= python3
PORT ?= 8000
# The web server: granian's threads overlap database waits, and concurrent reports share a commit.
SERVE_FLAGS = --interface wsgi --workers 2 --blocking-threads 16 --no-ws --respawn-failed-workers \
	shoushan.config.wsgi:application
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SHOUSHAN := $(VENV)/bin/shoushan
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test test-calendar install install-dev lint browser fonts messages clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

install: $(UV)
	$(UV) sync --frozen --no-dev --inexact --quiet

install-dev: $(UV)
	$(UV) sync --frozen --quiet

.env:
	$(VENV)/bin/python -m shoushan.config.envfile > .env

run: install fonts .env
	$(SHOUSHAN) setup --demo
	@echo "Shoushan is serving at http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	$(SHOUSHAN) run_periodic & $(SHOUSHAN) db_worker --no-startup-delay & \
	  $(VENV)/bin/granian $(SERVE_FLAGS) --host 127.0.0.1 --port $(PORT) --access-log

# Debian's chromium drives the browser tests; Playwright's own browser download cannot work offline.
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# A CJK font sets the Chinese of the blue book's PDF (and of the browser tests' screenshots).
fonts:
	@fc-list :lang=zh family 2>/dev/null | grep -q . || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get install -y -qq fonts-noto-cjk >/dev/null || \
	  echo "No CJK font could be installed: install fonts-noto-cjk for the blue book's PDF."; }

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	SHOUSHAN_SECRET_KEY=check $(SHOUSHAN) makemigrations --check --dry-run

# The suite runs in TEST_PROCESSES processes (pytest-xdist), each with its own test database.
TEST_PROCESSES ?= 2
# Tests are handed out one by one (xdist's "load"): the scope-based modes keep one test per node
# id, and schemathesis gives its generated tests one id.
PYTEST = $(VENV)/bin/pytest -n $(TEST_PROCESSES)

test: install-dev browser fonts lint
	$(PYTEST)
	@if [ -n "$$SHOUSHAN_TEST_DATABASE_URL" ]; then \
	  echo "== the same suite on $$SHOUSHAN_TEST_DATABASE_URL"; \
	  SHOUSHAN_DATABASE_URL="$$SHOUSHAN_TEST_DATABASE_URL" $(PYTEST); \
	fi

# The awkward moments of the year, in Asia/Shanghai: the first and last day of a month, the last
# second of a year and the first minute of the next (still the old year in UTC), the evening before
# National Day and the morning after it, a Saturday made a working day, and a leap day. The tests
# whose result depends on the date (they use the `clock` fixture or are marked `calendar`) run as
# if each started at each moment; SHOUSHAN_TEST_NOW does the same for any run of the suite.
CALENDAR_MOMENTS = 2026-07-01T00:05 2026-11-30T23:50 2026-12-31T23:59:59 2027-01-01T00:01 \
	2026-09-30T17:30 2026-10-08T08:55 2026-10-10T10:00 2028-02-29T12:00

# The moments run TEST_PROCESSES at a time, each in one process (a run is mostly its setup); each
# run's output is printed when it ends.
test-calendar: install-dev browser fonts
	@printf '%s\n' $(CALENDAR_MOMENTS) | xargs -P $(TEST_PROCESSES) -I{} sh -c '\
	  out=$$(SHOUSHAN_TEST_NOW={} $(VENV)/bin/pytest -q -p no:cacheprovider -m calendar 2>&1); \
	  status=$$?; printf "== the calendar tests at %s (Asia/Shanghai)\n%s\n" {} "$$out"; \
	  exit $$status'

# Regenerate translation catalogues (needs GNU gettext) and compile them with polib.
messages: install-dev
	cd src/shoushan && SHOUSHAN_DEBUG=1 ../../$(SHOUSHAN) makemessages -l zh_Hans -l en --no-obsolete -i conftest.py -i "*/tests/*"
	$(VENV)/bin/python -m shoushan.core.compile_messages

clean:
	rm -rf $(VENV) $(TOOLS) var staticfiles
