# The two commands: `make demo` runs Flowcast end to end; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
WITH_SERVERS := scripts/with-servers.sh

.PHONY: help install build lint typecheck test test-unit test-integration demo up down bench

help:
	@echo "make demo | make test | make up | make down | make bench"

install:
	@scripts/install.sh

build: install
	@npx tsc -p tsconfig.build.json

typecheck: install
	@npx tsc -p tsconfig.json --noEmit

lint: install
	@npx eslint --max-warnings=0 .

# No --forceExit: every suite closes what it opened (a connection left open shows as a run that
# does not end; find it with process._getActiveHandles() in an afterAll). The timeout keeps a
# hung runner from holding CI.
test: build typecheck lint
	@npx jest --selectProjects unit
	@$(WITH_SERVERS) timeout 1800 npx jest --selectProjects integration --runInBand

test-unit: build
	@npx jest --selectProjects unit

test-integration: build
	@$(WITH_SERVERS) timeout 1800 npx jest --selectProjects integration --runInBand

demo: build
	@$(WITH_SERVERS) node dist/cli/flowcast.js demo

up: build
	@scripts/servers.sh up
	@eval "$$(scripts/servers.sh env | sed 's/^/export /')" && node dist/cli/flowcast.js migrate
	@scripts/servers.sh env

down:
	@scripts/servers.sh down

bench: build
	@$(WITH_SERVERS) node dist/bench/run.js all
