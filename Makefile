# GlobalIR: `make run` serves the portal, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_VOLUNTEERS ?= 300
DEMO_NEEDS ?= 80

comma := ,

.PHONY: browser redis-server pango gettext messages check-translations run test lint check-deploy format install migrate demo-reset worker beat bench-match bench-pages bench-load bench-signup bench-certificate bench-consults clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The translations Django reads (locale/<language>/LC_MESSAGES/django.mo) are compiled here from the committed
# catalogues (django.po), and again in the Dockerfile. The .mo files are git-ignored: a binary that git can
# neither diff nor merge, which would drift from its .po and ship translations nobody reviewed. Only a .po
# newer than its .mo is compiled again.
install: $(VENV)/.installed gettext pango
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=$(VENV) --ignore=staticfiles --verbosity 0

# WeasyPrint (the certificates of service, placements.certification) draws text with Pango, HarfBuzz's subsetter
# embeds the fonts, and the certificates use DejaVu: system libraries, installed like the browser when missing
# and we may, otherwise a clear failure. `run` and `test` get them through `install`.
PANGO_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
pango:
	@$(call apt-install,ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset && [ -e $(DEJAVU) ],$(PANGO_PACKAGES),the certificates of service,The certificates of service (WeasyPrint) need Pango$(comma) HarfBuzz and the DejaVu fonts)

# gettext's msgfmt (compilemessages) and xgettext and msgmerge (makemessages) are system tools: installed like
# the browser when missing and we may, otherwise a clear failure.
gettext:
	@$(call apt-install,command -v msgfmt >/dev/null && command -v xgettext >/dev/null && command -v msgmerge >/dev/null,gettext,the translations,The translations need GNU gettext (msgfmt$(comma) xgettext$(comma) msgmerge))

# The catalogues regenerated from the source (globalir/catalogues.py): new messages come in untranslated,
# translations of the others are kept. Translate the new ones (locale/GLOSSARY.md) before committing.
messages: install
	DEBUG=1 $(BIN)/python -m globalir.catalogues update

# Fails, listing them, when a message of the source is missing, empty or fuzzy in French, Spanish or
# Portuguese, or when a translation drops or adds a placeholder or an HTML tag (globalir/catalogues.py).
check-translations: install
	DEBUG=1 $(BIN)/python -m globalir.catalogues check

# `make run` serves on PORT, and SITE_URL (the address in e-mails and in the calendar feed) follows it unless
# given. The database is SQLITE_PATH (db.sqlite3 here by default) unless DATABASE_URL is set.
RUN_SITE_URL = $(or $(SITE_URL),http://127.0.0.1:$(PORT))
RUN_SQLITE_PATH = $(abspath $(or $(SQLITE_PATH),db.sqlite3))
RUN_ENV = DEBUG=1 SITE_URL=$(RUN_SITE_URL) SQLITE_PATH=$(RUN_SQLITE_PATH)
# What `make run` last used, for the manage.py commands one types in this folder afterwards (manage.py reads
# it only when the environment sets no SECRET_KEY; see manage.py). Git-ignored, never in the Docker image.
DEV_SETTINGS := .env.dev

# createcachetable: the embedded default keeps its cache (allauth's rate limits) in a database table.
migrate: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py createcachetable

# Replaces the demo data (demo accounts and demo organisations, with all they own) with a fresh set; the
# directory is updated and everything else is kept.
demo-reset: migrate
	DEBUG=1 $(BIN)/python manage.py load_directory
	DEBUG=1 $(BIN)/python manage.py load_demo --volunteers $(DEMO_VOLUNTEERS) --needs $(DEMO_NEEDS) --seed 1
	DEBUG=1 $(BIN)/python manage.py refresh_recommendations

# The directory and the demo data are loaded into an empty database only (the first run): what one
# creates or changes is kept between runs, and `make demo-reset` starts the demo data afresh.
run: install
	@printf '%s\n' \
	  '# Written by `make run`: the settings of its last run, read by manage.py in this folder when the' \
	  '# environment sets no SECRET_KEY (a variable set in the environment wins). Never used in production.' \
	  'DEBUG=1' 'SITE_URL=$(RUN_SITE_URL)' 'SQLITE_PATH=$(RUN_SQLITE_PATH)' > $(DEV_SETTINGS)
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py createcachetable
	$(RUN_ENV) $(BIN)/python manage.py load_directory --if-empty
	$(RUN_ENV) $(BIN)/python manage.py load_demo --if-empty --volunteers $(DEMO_VOLUNTEERS) --needs $(DEMO_NEEDS) --seed 1
	$(RUN_ENV) $(BIN)/python manage.py refresh_recommendations
	@echo
	@echo "GlobalIR on $(RUN_SITE_URL) (the address in e-mails and the calendar feed), data in $(if $(DATABASE_URL),DATABASE_URL,$(RUN_SQLITE_PATH))."
	@echo "Your data is kept between runs: \`make demo-reset\` replaces the demo data with a fresh set."
	@echo "Demo accounts sign in with the password demo-password-123; the two-factor code of the demo coordinators"
	@echo "and admin: $(BIN)/python manage.py demo_totp_code"
	@echo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Tests run with DEBUG off, like production; the key below is for the test run only.
TEST_ENV := SECRET_KEY=test-only-not-secret SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0

CHROMIUM := /usr/bin/chromium

# A system tool installed with Debian's package when missing and we may (root with apt); otherwise a failure
# that says what to do. $(call apt-install,<shell test that the tool is there>,<package>,<what for>,<message>)
define apt-install
if ! ( $(1) ); then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "Installing Debian's $(2) for $(3)"; \
    apt-get -o DPkg::Lock::Timeout=600 update -qq && \
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq $(2); \
  else \
    echo "$(4): run 'sudo apt-get install $(2)'." >&2; \
    exit 1; \
  fi; \
fi
endef

# The browser tests drive Debian's Chromium (Playwright cannot download a browser here). A missing browser is
# a failure.
browser:
	@$(call apt-install,[ -x "$(CHROMIUM)" ],chromium,the browser tests,The browser tests need Chromium at $(CHROMIUM))

# The outbox's process tests (tests/test_outbox_processes.py) stop and start a redis-server of their own:
# installed like the browser when missing and we may, otherwise a clear failure.
redis-server:
	@$(call apt-install,command -v redis-server >/dev/null,redis-server,the outbox tests,The outbox tests need redis-server)

test: install browser redis-server
	$(TEST_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The matcher: the engine, the `matching` package side by side, and the stored recommendations refreshed
# on a throwaway database (DATABASE_URL honoured: on PostgreSQL the refreshes at 50k × 10k too; BENCH_ARGS=
# --large-refresh or --no-large-refresh chooses).
bench-match: install
	$(BIN)/python bench/match.py $(BENCH_ARGS)

# /opportunities/ against a bare page, then the coordinator's workspace, on throwaway databases (DATABASE_URL
# honoured).
bench-pages: install
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/coordinate.py

# 50, 100 then 200 users against gunicorn (gunicorn.conf.py), PostgreSQL and Redis on loopback, 45 s each
# (BENCH_ARGS="--duration 120", "--worker-class sync --workers 5" to compare); needs a local PostgreSQL and
# Redis, uses a throwaway database and an empty Redis database (DATABASE_URL and REDIS_URL honoured).
bench-load: install
	$(BIN)/python bench/load.py $(BENCH_ARGS)

# The sign-up page's answer for a known address against a new one, with the production hasher, on a
# throwaway database (DATABASE_URL honoured).
bench-signup: install
	$(BIN)/python bench/signup_timing.py

# A certificate of service and a yearly summary drawn as PDF, first render and warm ones; no database.
bench-certificate: install
	$(BIN)/python bench/certificate.py

# A 200-slice CT series zipped, de-identified and previewed on one core (consults.imaging); no database.
bench-consults: install
	$(BIN)/python bench/consults.py $(BENCH_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r . --quiet --severity-level medium
	$(BIN)/lint-imports

# Django's deployment checklist against production settings: DEBUG off, a long random key, a real
# host name, and none of the relaxations that development and the tests set.
check-deploy: install
	env -u DEBUG -u SECURE_SSL_REDIRECT -u SESSION_COOKIE_SECURE -u CSRF_COOKIE_SECURE -u SECURE_HSTS_SECONDS \
	  SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  ALLOWED_HOSTS=globalir.example.org \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: install
	$(BIN)/celery -A globalir worker --loglevel=info

beat: install
	$(BIN)/celery -A globalir beat --loglevel=info

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles test-db.sqlite3* $(DEV_SETTINGS) locale/*/LC_MESSAGES/*.mo
