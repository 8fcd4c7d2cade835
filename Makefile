# landscape: `make demo` and `make test` install what they need (Debian
# packages through apt-get), build, and run. See README.md.

GO      ?= go
# Debian's python3 (with python3-numpy), not a pyenv or venv one on PATH.
PYTHON  ?= /usr/bin/python3
BIN     := bin
PLUGDIR := $(BIN)/plugins
# Plugin executables: landscape-plugin-NAME from the package that serves it.
PLUGINS := testfuncs:./plugins/testfuncs optimizers:./plugins/optimizers models:./plugins/models expr:./plugins/expr tilted:./plugins/examples/tilted
PROTOC_GEN_GO      := google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
PROTOC_GEN_GO_GRPC := google.golang.org/grpc/cmd/protoc-gen-go-grpc@v1.6.0

.PHONY: all deps build demo test bench bench-gpu bench-gpu-bundle proto fmt vet clean

all: build

deps:
	@bash .ci/deps.sh

build: deps
	@mkdir -p $(PLUGDIR)
	$(GO) build -o $(BIN)/landscape ./cmd/landscape
	@for p in $(PLUGINS); do \
		name=$${p%%:*}; pkg=$${p#*:}; \
		echo "$(GO) build -o $(PLUGDIR)/landscape-plugin-$$name $$pkg"; \
		$(GO) build -o $(PLUGDIR)/landscape-plugin-$$name $$pkg || exit 1; \
	done

# The main job on the default surface, headless.
demo: build
	$(BIN)/landscape surfaces
	$(BIN)/landscape render ripple -o landscape.png
	@echo "wrote landscape.png"

# Every test, GL ones included: GL tests fail (never skip) when no context
# can be made; GLFW's run in an Xvfb display, EGL's headless. The Slurm test
# fails (never skips) when it cannot start its single-node cluster.
test: build
	$(GO) vet ./...
	@test -z "$$(gofmt -l cmd host compute sdk plugins shaders 2>/dev/null)" || { gofmt -l cmd host compute sdk plugins shaders; echo "gofmt: files above need formatting"; exit 1; }
	LANDSCAPE_REQUIRE_GL=1 LANDSCAPE_REQUIRE_GLFW=1 LANDSCAPE_REQUIRE_USERS=1 LANDSCAPE_REQUIRE_SLURM=1 xvfb-run -a -s "-screen 0 1280x1024x24" $(GO) test -count=1 ./...

# Benchmarks (docs/benchmarks.md): landscape's backends beside their peers
# (NumPy, PyTorch, loss-landscape's loop) in alternating runs, and the
# memory of eval and render at 8192² (bench/suite.sh); then the Go
# benchmarks of the plugin path and of rendering. Take figures on a quiet
# machine.
bench: build
	bash bench/suite.sh $(BIN)/landscape $(PYTHON) | tee bench.txt
	$(GO) test -run '^$$' -bench Grid2048 -benchtime 5x -count 9 ./host/ | tee -a bench.txt
	$(GO) test -run '^$$' -bench PNG -benchtime 5x -count 5 ./host/render/ | tee -a bench.txt
	@awk '/^Benchmark/ {n[$$1]++; v[$$1,n[$$1]]=$$3/1e6} END {for (k in n) {m=n[k]; for (i=1;i<=m;i++) for (j=i+1;j<=m;j++) if (v[k,j]<v[k,i]) {t=v[k,i]; v[k,i]=v[k,j]; v[k,j]=t}; printf "%-50s median %8.1f ms of %d\n", k, v[k,int((m+1)/2)], m}}' bench.txt | sort

# The GPU suite (bench/gpu/run.sh: analytic grids at 4096² and 16384², the
# MLP at 256² over 10,000 samples, the viewer at 1920×1080 under Xvfb) on
# this machine's GPU, headless through EGL; PYTHON needs numpy (and torch for
# the model peers). Tables on stdout, JSON in bench-gpu/.
bench-gpu: build
	PYTHON=$(PYTHON) bash bench/gpu/run.sh

# What bench/gpu/run.sh needs on a GPU machine with no Go, X server or
# network: stripped binaries and run-time packages in .gpu/ (see
# bench/gpu/bundle.sh for the two runs that carry them).
bench-gpu-bundle:
	bash bench/gpu/bundle.sh

# Regenerates the wire code from sdk/internal/wire/landscapev1/landscape.proto.
# Needs protoc (Debian: protobuf-compiler).
proto:
	GOFLAGS= $(GO) install $(PROTOC_GEN_GO)
	GOFLAGS= $(GO) install $(PROTOC_GEN_GO_GRPC)
	PATH="$$($(GO) env GOPATH)/bin:$$PATH" protoc --proto_path=sdk/internal/wire/landscapev1 \
		--go_out=paths=source_relative:sdk/internal/wire/landscapev1 \
		--go-grpc_out=paths=source_relative:sdk/internal/wire/landscapev1 landscape.proto

fmt:
	gofmt -w cmd host compute sdk plugins

clean:
	rm -rf $(BIN) landscape.png bench.txt bench-out bench-gpu .gpu
