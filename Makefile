# Plugboard's build. Everything a command needs it installs itself: Go
# modules through the Go toolchain, Debian packages (Chromium for the
# browser tests) through apt-get.

GO        ?= go
VERSION   ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
TEST_TIMEOUT ?= 20m
# How much each fuzz target runs in `make test`: a count of inputs, not a
# duration, because a duration races the fuzz coordinator's deadline in Go
# 1.26 and fails with "context deadline exceeded" on a busy machine
# (golang/go#75804, fixed in Go 1.27).
FUZZTIME  ?= 20000x

SERVER_SOURCES := $(shell find backend shared app -name '*.go' -not -path 'backend/tools/*' 2>/dev/null) go.mod go.sum
APP_SOURCES    := $(shell find app shared -name '*.go' 2>/dev/null) go.mod go.sum

.PHONY: run build test vet unit fuzz bench deps browser clean

## run: build everything and start the server on 127.0.0.1:8080
run: build
	./bin/plugboard

## build: the server at bin/plugboard and the web app at web/app.wasm
build: bin/plugboard web/app.wasm

bin/plugboard: $(SERVER_SOURCES)
	$(GO) build -ldflags '$(LDFLAGS)' -o $@ ./backend/cmd/plugboard

web/app.wasm: $(APP_SOURCES)
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags '-s -w' -o $@ ./app
	$(GO) run ./app/cmd/compress $@

## bin/hydra: Ory Hydra, the real OAuth 2.0 provider of the end-to-end tests
bin/hydra: backend/tools/hydra/go.mod backend/tools/hydra/go.sum
	cd backend/tools/hydra && CGO_ENABLED=1 $(GO) build -tags sqlite,sqlite_omit_load_extension -o ../../../bin/hydra github.com/ory/hydra/v2

## test: vet for both targets, then every test, then short fuzz runs
test: vet browser bin/hydra web/app.wasm unit fuzz

vet:
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/... ./shared/...

unit:
	$(GO) test -timeout $(TEST_TIMEOUT) ./...

fuzz:
	@set -e; for pkg in $$($(GO) list ./... ); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$f"; \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

## bench: the proxy and refresh benchmarks
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./backend/...

## browser: Debian's Chromium for the browser tests, installed when missing
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium (Debian package)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }

clean:
	rm -rf bin web/app.wasm web/app.wasm.br web/app.wasm.gz
