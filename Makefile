# badges: common tasks. `make demo` runs the real thing locally; `make test`
# runs every test (installing Prosody and Chromium first when missing).

GO      ?= go
PKGS    ?= ./...
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build demo demo-cluster test check fuzz bench bench-live bench-memory docker clean

all: check build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/badges ./cmd/badges

demo: build
	./scripts/install-deps prosody
	$(GO) run ./cmd/demo

# demo-cluster: Redis, three replicas and nginx in front, with the demo users.
demo-cluster: build
	./scripts/install-deps prosody redis nginx
	$(GO) run ./cmd/demo -replicas 3

test: check
	./scripts/install-deps
	$(GO) test -race -count=1 -timeout 15m $(PKGS)

# check fails when formatting, vet, generated templates or go.mod are not clean.
check:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet $(PKGS)
	@if [ -d templates ] && ls templates/*.templ >/dev/null 2>&1; then \
		$(GO) tool templ generate >/dev/null && git diff --exit-code -- templates || { echo "templ: generated files are stale"; exit 1; }; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod/go.sum: run go mod tidy"; exit 1; }

# fuzz runs every fuzz target briefly (FUZZTIME each).
FUZZTIME ?= 15s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; done

bench:
	./scripts/install-deps
	$(GO) run ./bench/cmd/bench

# bench-live: WebSocket memory per idle connection, connect rate, fan-out.
bench-live:
	$(GO) run ./bench/cmd/live

# bench-memory: resident memory under 13,300 distinct image requests with
# -cache-bytes 16MiB (docs/PERFORMANCE.md).
bench-memory:
	$(GO) run ./bench/cmd/cachefill -n 13300 -cache-bytes 16MiB

docker:
	docker build -t badges:$(VERSION) .

clean:
	rm -rf bin
