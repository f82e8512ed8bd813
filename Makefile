# soaklab's interface: CI only calls make. `make help` lists the targets.
SHELL := bash
GO ?= go
BIN := bin/soaklab
MATRIX ?= matrix.yaml
RESULTS ?= results
# Test timeout for the whole suite (cgroup, Docker and browser tests included).
TEST_TIMEOUT ?= 20m

.PHONY: help build matrix test test-cgroup2 check bench soak-self verdicts stories early-stop docker-up clean uplot release-check

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'

build: ## build bin/soaklab
	$(GO) build -o $(BIN) ./harness/cmd/soaklab

matrix: build ## run the default matrix and print where the report is (succeeds whatever the verdicts)
	@./$(BIN) run -m $(MATRIX) --results $(RESULTS); code=$$?; \
	if [ $$code -gt 1 ]; then echo "make matrix: soaklab exited $$code" >&2; exit $$code; fi

test: check ## run the tests (race detector; real cgroups, Docker and browser where present)
	$(GO) test -race -timeout $(TEST_TIMEOUT) ./...

test-cgroup2: ## cgroup v2 tests in a qemu VM (Debian's cloud kernel, fetched once into the cache): the process backend, an end-to-end run
	SOAKLAB_VM=1 $(GO) test -count=1 -v -timeout 20m ./scripts/vm/

check: ## formatting, vet, go.mod tidiness, and the builds for macOS and Windows
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	GOOS=darwin $(GO) build ./...
	GOOS=windows $(GO) build -o /dev/null ./harness/cmd/soaklab

bench: ## driver, sampler and report benchmarks (figures, not pass/fail); driver vs wrk when wrk is installed
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./harness/... ./reports/...
	scripts/bench/bench.sh

# soak-self passes on the judge's own driver criterion at a 1 MiB/h floor
# (ci/soak-self.yaml): a fifth of a target's default leak floor, so the
# harness cannot be what makes a target's verdict; 24 MiB a day at most;
# 150 KiB over the 9 judged minutes, so a late page passes and steady growth
# does not.
soak-self: build ## the harness soaks itself, 10 min at 5,000 RPS: its memory slope's 95 % upper bound under 1 MiB/h (last half for a ramp that stopped), the judge's driver criterion
	@./$(BIN) run -m ci/soak-self.yaml --results $(RESULTS) --run-id soak-self-$$(date +%s); code=$$?; [ $$code -le 1 ] || exit $$code
	$(GO) run ./scripts/soakself $(RESULTS)

verdicts: build ## acceptance: steady/leaky/hog, A/B, shm/socket/pipe leaks, page cache, wrapped crash, smoke cells; false-alarm count over 30 steady runs
	scripts/verdicts/run.sh ./$(BIN) $(RESULTS)

stories: build ## the four stories, short: a works/OOM grid with projected durations, allocator stairs A/B, a lean-mode scorecard, a slow leak's episodes and sites (docs/stories.md)
	$(GO) run ./scripts/stories ./$(BIN) $(RESULTS)

early-stop: build ## early stopping against full-length verdicts: labelled shapes and 30 quiet cells, 10 min each, all at once (~12 min)
	@# One process per cell: shard counts are chosen so that hash sharding puts each
	@# cell of the matrix in a shard of its own (31 for ci/earlystop.yaml's 10 cells,
	@# 127 for ci/earlystop-quiet.yaml's 30); empty shards are skipped.
	@id=$$(date +%s); pids=; dirs=; \
	for spec in ci/earlystop.yaml:31 ci/earlystop-quiet.yaml:127; do m=$${spec%:*}; n=$${spec#*:}; \
	  for i in $$(seq 1 $$n); do ./$(BIN) expand $$m --shard $$i/$$n 2>/dev/null | grep -q . || continue; \
	    CI=true ./$(BIN) run -m $$m --results $(RESULTS) --run-id es-$$id-$$n-$$i --shard $$i/$$n --quiet >/dev/null 2>&1 & pids="$$pids $$!"; dirs="$$dirs $(RESULTS)/es-$$id-$$n-$$i"; done; done; \
	for p in $$pids; do wait $$p; code=$$?; [ $$code -le 1 ] || exit $$code; done; \
	$(GO) run ./scripts/earlystop $$dirs

# goreleaser v2 from the Go module proxy, built once into GOPATH/bin under a
# versioned name (about 4 min of CPU; kept there, so later runs and fresh
# clones on the same machine only check and build).
GORELEASER_VERSION ?= v2.15.1
GORELEASER := $(shell $(GO) env GOPATH)/bin/goreleaser-$(GORELEASER_VERSION)

$(GORELEASER):
	@tmp=$$(mktemp -d) && GOBIN=$$tmp $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION) && \
	mkdir -p $(dir $(GORELEASER)) && mv $$tmp/goreleaser $@ && rmdir $$tmp

release-check: $(GORELEASER) ## goreleaser check, a snapshot build of every release binary into dist/, and the linux one's `soaklab version`
	$(GORELEASER) check
	$(GORELEASER) release --snapshot --clean
	@out=$$(./dist/soaklab_linux_amd64_v1/soaklab version); echo "$$out"; \
	case "$$out" in *snapshot*"commit $$(git rev-parse HEAD)"*) ;; *) echo "release-check: the snapshot binary does not name its version and commit" >&2; exit 1 ;; esac

docker-up: ## install (Debian) and start a Docker engine if none answers
	bash scripts/docker/install.sh

clean: ## remove leftover cgroups and containers, and bin/
	-./$(BIN) clean
	rm -rf bin

uplot: ## re-fetch the vendored uPlot (reports/html/assets) from npm at its pinned version and check its checksums
	scripts/uplot/fetch.sh
