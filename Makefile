# TcpHealth: `sudo make demo` shows it working, `make test` proves it.
# Every target installs what it needs on a fresh Debian 12 machine.

SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf -I/usr/include/$(shell uname -m)-linux-gnu
APT_PACKAGES := clang llvm libbpf-dev bpftool iperf3 iproute2 ethtool tcpdump socat prometheus python3-prometheus-client apache2-utils iputils-ping
BPF_OBJ := bpf/build/tcphealth.bpf.o
BPF_TEST_OBJS := $(patsubst bpf/test/%.bpf.c,bpf/build/test/%.bpf.o,$(wildcard bpf/test/*.bpf.c))

.PHONY: all deps build bpf test demo bench clean

all: build

# Installs only what is missing; apt-get update runs once, when needed.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi
	@command -v $(DOTNET) >/dev/null || { echo "error: the .NET 10 SDK is required (dotnet not on PATH)"; exit 2; }

bpf: $(BPF_OBJ) $(BPF_TEST_OBJS)

$(BPF_OBJ): bpf/*.bpf.c bpf/*.h | deps
	@mkdir -p bpf/build
	clang $(BPF_CFLAGS) -c bpf/tcphealth.bpf.c -o $@

# Programs the tests use to shape traffic; never shipped.
bpf/build/test/%.bpf.o: bpf/test/%.bpf.c | deps
	@mkdir -p bpf/build/test
	clang $(BPF_CFLAGS) -c $< -o $@

# The agent is what users run: published self-contained and trimmed into bin/agent
# (the runtime and framework code it never calls are left out: RSS at 10k flows
# 69 instead of 87 MiB; make bench) and ReadyToRun (precompiled; it runs
# with tiered JIT off, see src/TcpHealth/TcpHealth.csproj). bin/tcphealth links to it.
# The bench is published ReadyToRun too, so it renders /metrics with code compiled
# as the agent's is.
build: deps bpf
	$(DOTNET) build TcpHealth.sln -c $(CONFIG) -nologo -v q
	@# The bench brings a framework-dependent copy of the agent; it must not write through the link.
	rm -f bin/tcphealth
	$(DOTNET) publish src/TcpHealth.Lab/TcpHealth.Lab.csproj -c $(CONFIG) -o bin -nologo -v q
	$(DOTNET) publish src/TcpHealth.Bench/TcpHealth.Bench.csproj -c $(CONFIG) -o bin -nologo -v q --use-current-runtime --self-contained false -p:PublishReadyToRun=true
	@# Published afresh: files of an earlier build (a dropped dependency) must not linger next to it.
	rm -rf bin/agent
	$(DOTNET) publish src/TcpHealth/TcpHealth.csproj -c $(CONFIG) -o bin/agent -nologo -v q --use-current-runtime --self-contained true -p:PublishTrimmed=true -p:PublishReadyToRun=true
	ln -sfn agent/tcphealth bin/tcphealth
	@echo "built bin/tcphealth"

# Kernel-touching tests need root (BPF, network namespaces). Test projects run
# one after another: the delay-line tests measure time and must not share the
# two cores with the CPU-heavy BPF test runs.
TEST_PROJECTS := tests/TcpHealth.Core.Tests tests/TcpHealth.Bpf.Tests tests/TcpHealth.EndToEnd.Tests
test: build
	@set -e; for t in $(TEST_PROJECTS); do \
	  $(DOTNET) test $$t -c $(CONFIG) --no-build -nologo --logger "console;verbosity=normal"; \
	done

demo: build
	bin/tcphealth-lab demo

# Per-packet BPF cost, throughput against a no-op control, test_run micro-benchmarks
# and map memory; then the agent process (start-up, RSS, CPU, collection time at
# idle, 10k and 100k flows), /metrics render and the identity index. Needs root
# (namespaces, BPF). Takes about 10 minutes; `--only agent|datapath` runs one half.
bench: build
	bin/tcphealth-bench --output bench-results.json

clean:
	rm -rf bpf/build bin src/*/bin src/*/obj tests/*/bin tests/*/obj
