# stampede — every target a user or CI needs. `make help` lists them.
GO        ?= go
BIN       ?= bin/stampede
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
FUZZTIME  ?= 20s
BENCHTIME ?= 1s
# Debian packages the tests and benchmarks use, as command:package, installed only when missing.
TEST_APT  ?= prometheus:prometheus promtool:prometheus chromium:chromium etcd:etcd-server
BENCH_APT ?= hey:hey wrk:wrk
BENCH_ARGS ?= -rounds 3
DEMO_ARGS ?= --workers 2 --users 50 --spawn-rate 10 --duration 30s

IMAGE     ?= ghcr.io/stampedehq/stampede:$(VERSION)
PLATFORMS ?= linux/amd64,linux/arm64

.PHONY: help build cross image chart-sync test lint unit deps fuzz bench bench-go bench-compare demo demo-target clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

build: ## build bin/stampede
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/stampede

cross: ## static builds for linux/amd64 and linux/arm64 (the image's platforms)
	@for arch in amd64 arm64; do \
	  echo "GOOS=linux GOARCH=$$arch CGO_ENABLED=0 go build"; \
	  GOOS=linux GOARCH=$$arch CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/stampede-linux-$$arch ./cmd/stampede || exit 1; \
	  file bin/stampede-linux-$$arch 2>/dev/null | grep -q 'statically linked' || { command -v file >/dev/null && { echo "bin/stampede-linux-$$arch is not static"; exit 1; }; }; \
	done

image: ## multi-arch image with docker buildx (PLATFORMS, IMAGE); needs a Docker engine
	@command -v docker >/dev/null && docker buildx version >/dev/null 2>&1 || { echo "make image needs docker buildx"; exit 1; }
	docker buildx build --platform $(PLATFORMS) --build-arg VERSION=$(VERSION) -t $(IMAGE) .

deps: ## install what the tests need (Go modules; Debian packages only when missing)
	$(GO) list -deps -test ./... > /dev/null  # fetches exactly the modules the build and tests import
	@scripts/ensure-apt $(TEST_APT)
	@scripts/ensure-helm >/dev/null
	@scripts/ensure-kube-apiserver >/dev/null

lint: ## gofmt, go vet and staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

unit: ## all tests with the race detector
	$(GO) test -race -count=1 -timeout 14m ./...

test: deps lint cross unit ## what CI runs: deps, lint, static cross builds, every test with -race

fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; done

bench-go: ## go test benchmarks (ns/op, allocs/op)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

bench-compare: build ## stampede next to wrk, hey, Vegeta and k6: requests/s, open-model latency, RSS per user (BENCH_ARGS for bench/compare's flags)
	@scripts/ensure-apt $(BENCH_APT)
	$(GO) run ./bench/compare -bin $(BIN) $(BENCH_ARGS)

bench: bench-go bench-compare ## every benchmark

demo-target: build ## serve the demo ToDo API on 127.0.0.1:8080
	$(BIN) demo-target --listen 127.0.0.1:8080

demo: build ## a real local load test: controller, 2 workers, the demo target and the CRUD scenario
	$(BIN) run $(DEMO_ARGS)

chart-sync: ## copy dashboards/ into the chart and re-render k8s/manifests (after changing either)
	scripts/sync-chart-assets && scripts/render-manifests

clean:
	rm -rf bin
