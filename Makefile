# Coffer's tasks. `make help` lists them.
.DEFAULT_GOAL := help
GO ?= go

.PHONY: help run build test test-short lint fmt

help: ## list the tasks
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

run: ## run the server on ./coffer.db (SQLite)
	$(GO) run ./cmd/coffer serve

# The version and commit `make build` stamps (docs/operations.md), from git
# when it is there; without git the go command's build info says what it can.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null)
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
STAMP := $(if $(VERSION),-X github.com/cofferdev/coffer/app.stampedVersion=$(VERSION)) \
	$(if $(COMMIT),-X github.com/cofferdev/coffer/app.stampedCommit=$(COMMIT))

build: ## build ./coffer, stamped with git describe's version
	$(GO) build -ldflags "$(strip $(STAMP))" -o coffer ./cmd/coffer

test: lint ## the whole suite: module tidiness, vet, then every test with the race detector
	$(GO) test -race -count=1 -timeout 25m ./...

test-short: ## the suite without the race detector
	$(GO) test -count=1 ./...

lint: ## gofmt, go vet and go.mod tidiness
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) mod tidy -diff

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')
