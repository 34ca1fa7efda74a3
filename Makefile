# dwgk — development tasks. `make help` lists them.
# Every target can be run again: it only does what is missing or out of date.

PYTHON ?= python3
VENV   ?= .venv

SHELL       := bash
.SHELLFLAGS := -euo pipefail -c
.ONESHELL:
.DELETE_ON_ERROR:
MAKEFLAGS   += --no-builtin-rules --no-print-directory

PY       := $(VENV)/bin/python
FLASK    := $(PY) -m flask --app app
INSTANCE := $(or $(DWGK_INSTANCE_PATH),instance)

# Stamps: pip runs only when a requirements file is newer than its stamp.
REQ_STAMP     := $(VENV)/.requirements.stamp
REQ_DEV_STAMP := $(VENV)/.requirements-dev.stamp
NPM_STAMP     := node_modules/.npm-ci.stamp
HTMX          := static/vendor/htmx.min.js
QUILL         := static/vendor/quill.js static/vendor/quill.snow.css
SEED_STAMP    := $(INSTANCE)/.demo-seeded

.PHONY: help setup setup-test system system-test vendor requirements run test bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) \
	  | awk -F':.*## ' '{ printf "  make %-11s %s\n", $$1, $$2 }'

# ---------------------------------------------------------------- system packages
# check_system: the Debian packages named in $(1) that are missing, installed when we are
# root, otherwise the exact apt-get line to run. A package is "present" when its check passes.
define check_system
	have() { command -v "$$1" >/dev/null 2>&1; }
	installed() { dpkg-query -W -f='$${Status}' "$$1" 2>/dev/null | grep -q 'install ok installed'; }
	python_ok() { $(PYTHON) -c 'import sys, venv, ensurepip; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' 2>/dev/null; }
	check() {
	  case "$$1" in
	    python3-venv)       python_ok ;;
	    redis-server)       have redis-server ;;
	    redis-tools)        have redis-cli ;;
	    nodejs)             have node ;;
	    npm)                have npm ;;
	    chromium)           [ -x /usr/bin/chromium ] ;;
	    fonts-wqy-microhei) installed fonts-wqy-microhei ;;
	    *)                  installed "$$1" ;;
	  esac
	}
	missing() { local out=""; for p in $(1); do check "$$p" || out="$$out $$p"; done; echo "$${out# }"; }
	# apt cannot fix a python3 that is another version: say so, name the one to choose, stop.
	# Supported: 3.11 (CI), 3.12, 3.13 (Debian 13). Older: install a newer one beside it.
	version="$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true)"
	case "$$version" in
	  ""|3.11|3.12|3.13) ;;
	  3.[0-9]|3.10)
	    echo "dwgk needs Python 3.11 to 3.13; '$(PYTHON)' is $$version (too old). Install python3.11 (or 3.12, 3.13) and run: make PYTHON=python3.11 …" >&2
	    exit 1 ;;
	  *)
	    echo "dwgk needs Python 3.11 to 3.13; '$(PYTHON)' is $$version (too new: its pinned packages are not tested there). Install python3.13 (or 3.12, 3.11) and run: make PYTHON=python3.13 …" >&2
	    exit 1 ;;
	esac
	todo="$$(missing)"
	if [ -n "$$todo" ] && [ "$$(id -u)" != 0 ]; then
	  echo "Missing system packages. Run:" >&2
	  echo "  sudo apt-get install -y $$todo" >&2
	  exit 1
	fi
	if [ -n "$$todo" ]; then
	  echo "Installing system packages: $$todo"
	  export DEBIAN_FRONTEND=noninteractive
	  apt-get update
	  apt-get install -y $$todo
	  todo="$$(missing)"
	  if [ -n "$$todo" ]; then
	    echo "Still missing after apt-get install: $$todo" >&2
	    exit 1
	  fi
	fi
endef

system: ## check (as root: install) the system packages `make run` needs
	@$(call check_system,python3-venv redis-server redis-tools nodejs npm libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei)

system-test: ## check (as root: install) those plus chromium and a CJK font for `make test`
	@$(call check_system,python3-venv redis-server redis-tools nodejs npm chromium fonts-wqy-microhei)

# ---------------------------------------------------------------- Python and htmx
$(PY): | system
	$(PYTHON) -m venv $(VENV)

# --require-hashes: pip installs only files whose sha256 requirements*.txt names (generated
# by `make requirements` from requirements*.in), so a changed or substituted file is refused.
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q --require-hashes

$(REQ_STAMP): requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt
	touch $@

$(REQ_DEV_STAMP): requirements-dev.txt requirements.txt | $(PY)
	$(PIP_INSTALL) -r requirements.txt -r requirements-dev.txt
	touch $@

# pip-compile runs from a venv of its own (pip-tools is no dependency of dwgk); it keeps the
# versions already pinned in requirements*.txt and asks PyPI for every file's hash, so it
# needs PyPI (or a mirror with its JSON API) — the install needs only the files.
PIP_TOOLS     := $(VENV)-tools
PIP_COMPILE   := $(PIP_TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
                 --strip-extras --no-emit-index-url --no-emit-find-links
PIP_TOOLS_PIN := pip-tools==7.6.2

requirements: | $(PY) ## regenerate requirements*.txt (pins and hashes) from requirements*.in
	[ -x $(PIP_TOOLS)/bin/pip-compile ] || { $(PY) -m venv $(PIP_TOOLS); \
	  $(PIP_TOOLS)/bin/pip install --disable-pip-version-check -q $(PIP_TOOLS_PIN); }
	$(PIP_COMPILE) --output-file=requirements.txt requirements.in
	$(PIP_COMPILE) --output-file=requirements-dev.txt requirements-dev.in

# npm ci installs exactly what package-lock.json says, from the npm registry (never a CDN:
# the intranet has no internet). The stamp says it ran since package-lock.json last changed.
$(NPM_STAMP): package-lock.json package.json | system
	npm ci --no-audit --no-fund
	touch $@

$(HTMX): $(NPM_STAMP)
	mkdir -p $(@D)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# Quill 2 (BSD-3-Clause), the body editor: its full build with the table module and its theme.
static/vendor/quill.%: $(NPM_STAMP)
	mkdir -p $(@D)
	cp node_modules/quill/dist/quill.$* $@

vendor: $(HTMX) $(QUILL) ## install htmx and Quill from npm into static/vendor/

setup: system $(REQ_STAMP) vendor ## everything `make run` needs (system packages, .venv, htmx)

setup-test: setup system-test $(REQ_DEV_STAMP) ## everything `make test` needs as well

# ---------------------------------------------------------------- run, test
run: setup ## migrate, seed the demo unit once, and run web + worker (+ Redis if needed)
	@# Seed on the first run, and again after the default SQLite database was deleted (a reset).
	fresh=no
	if [ ! -f $(SEED_STAMP) ]; then fresh=yes; fi
	if [ -z "$${DWGK_DATABASE_URL:-}" ] && [ ! -s $(INSTANCE)/dwgk.sqlite3 ]; then fresh=yes; fi
	echo "== flask db upgrade"
	$(FLASK) db upgrade
	if [ $$fresh = yes ]; then
	  echo "== flask demo seed"
	  $(FLASK) demo seed
	  touch $(SEED_STAMP)
	fi
	exec $(PY) -m dwgk.ops.devrun

test: setup-test ## run the tests on SQLite and, at the same time, on DWGK_TEST_DATABASE_URL when set
	@echo "== ruff check"
	$(VENV)/bin/ruff check --no-cache .
	# The two passes run side by side (one per core); each has its own database and its own
	# redis-server. The browser journeys test the pages, not the database: SQLite pass only.
	pg_pid=""
	if [ -n "$${DWGK_TEST_DATABASE_URL:-}" ]; then
	  # the URL as shown in the log, without a password
	  pg_name="$$(sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#' <<<"$$DWGK_TEST_DATABASE_URL")"
	  pg_log="$$(mktemp)"
	  $(PY) -m pytest -q -p no:cacheprovider -m "not browser" tests >"$$pg_log" 2>&1 &
	  pg_pid=$$!
	fi
	echo "== pytest on SQLite"
	sqlite_rc=0
	env -u DWGK_TEST_DATABASE_URL $(PY) -m pytest -q tests || sqlite_rc=$$?
	pg_rc=0
	if [ -n "$$pg_pid" ]; then
	  wait "$$pg_pid" || pg_rc=$$?
	  echo "== pytest on $$pg_name"
	  cat "$$pg_log"
	  rm -f "$$pg_log"
	fi
	if [ "$$sqlite_rc" -ne 0 ] || [ "$$pg_rc" -ne 0 ]; then
	  echo "== FAILED: SQLite pass exit $$sqlite_rc, PostgreSQL pass exit $$pg_rc"
	  exit 1
	fi

# ---------------------------------------------------------------- BENCH (issue 8)
# python -m dwgk.ops.bench: seeds 100,000 items + 20,000 opinions once (kept in BENCH_CACHE,
# keyed by migration head and seed version), serves dwgk and a bare Flask app with gunicorn
# (2 workers), drives them in turn with wrk (8 connections; BENCH_ROUNDS rounds of
# BENCH_DURATION seconds per page and server), and prints the medians of req/s, p50/p99, the
# ratios to hello with the issue's targets, and query counts.
# DWGK_BENCH_DATABASE_URL=postgresql+psycopg://… benchmarks on PostgreSQL instead.
BENCH_DURATION ?= 4
BENCH_ROUNDS   ?= 3
BENCH_CACHE    ?= .bench

bench: setup ## load benchmark vs a bare Flask app (BENCH_ROUNDS=3 rounds, BENCH_DURATION=4 s per page)
	@$(call check_system,wrk)
	BENCH_DURATION=$(BENCH_DURATION) BENCH_ROUNDS=$(BENCH_ROUNDS) BENCH_CACHE=$(BENCH_CACHE) \
	  $(PY) -m dwgk.ops.bench

clean: ## remove .venv, .venv-tools, node_modules and static/vendor (keeps instance/ and its database)
	rm -rf $(VENV) $(PIP_TOOLS) node_modules static/vendor
