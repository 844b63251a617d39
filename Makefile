# `make run` and `make test` each do all the set-up a fresh machine needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GOVUK := node_modules/govuk-frontend/dist/govuk

# Development is chosen here, never assumed by the app, and signs sessions with a random key made
# once on this machine (instance/secret_key, readable by you only). Production sets SECRET_KEY.
DEV := LMS_ENV=development

.PHONY: run test test-postgres setup assets browser db demo bench clean

run: setup db demo
	$(DEV) $(BIN)/flask --app wsgi run --host 127.0.0.1 --port 5000

test: setup browser instance/secret_key
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: static/build/app.css static/govuk/.installed

static/build/app.css: node_modules/.installed $(wildcard static/scss/*.scss)
	mkdir -p static/build
	npx --no-install sass --quiet --load-path=node_modules --pkg-importer=node --style=compressed --no-source-map static/scss/app.scss $@

static/govuk/.installed: node_modules/.installed
	rm -rf static/govuk && mkdir -p static/govuk
	cp $(GOVUK)/govuk-frontend.min.js static/govuk/
	cp -r $(GOVUK)/assets static/govuk/assets
	touch $@

# Debian's chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

instance/secret_key:
	mkdir -p instance
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@.new && mv $@.new $@

db: setup instance/secret_key
	$(DEV) $(BIN)/lms db upgrade

demo: db
	$(DEV) $(BIN)/lms demo

clean:
	rm -rf $(VENV) node_modules static/build static/govuk instance
