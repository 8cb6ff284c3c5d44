# The two quick-start commands (`make up`, `make test`) and what they need. Each installs what it
# needs on a fresh machine (npm packages from the lockfile; Debian packages the tests use).

.PHONY: up test install deps typecheck lint bench

node_modules/.kvol-installed: package.json package-lock.json
	npm install --no-audit --no-fund
	touch $@

install: node_modules/.kvol-installed

# Debian packages the test suite uses (kubectl ships with the machine image).
deps:
	@command -v kubectl >/dev/null || { echo "kubectl is required on PATH"; exit 1; }

up: install
	./tools/quickstart.sh

typecheck: install
	npx tsc --noEmit -p .

lint: install
	npx biome check . && npx tsx tools/check-imports.ts

test: install deps typecheck lint
	npm test

bench: install
	npm run bench
