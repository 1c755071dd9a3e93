# p4edge — build, run and test.  `make run` starts the demo, `make test` runs every test.
# Each target installs what it needs: the project venv (.venv), the tools venv with
# p4runtime-shell (.venv-tools) and, as root, the Debian packages it uses.

PYTHON  ?= python3
VENV    := .venv
TOOLS   := .venv-tools
TARGET  ?= softswitch
BUILD   := build/$(TARGET)
PY      := $(VENV)/bin/python
PIP_Q   := --quiet --disable-pip-version-check
APT_PKGS := iproute2 ethtool tcpdump

.PHONY: all venv tools-venv apt build run stop test lint typecheck pytest corpus bench shell clean

all: build

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install $(PIP_Q) --upgrade pip
	$(VENV)/bin/pip install $(PIP_Q) -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# p4runtime-shell pins protobuf < 3.21, so it lives in its own venv and runs as an external client.
$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install $(PIP_Q) --upgrade pip
	$(TOOLS)/bin/pip install $(PIP_Q) p4runtime-shell
	touch $@

tools-venv: $(TOOLS)/.installed

# Compile every top-level program in p4src/ for the chosen target into build/<target>/.
P4_PROGS := $(basename $(notdir $(wildcard p4src/*.p4)))
build: venv
	@mkdir -p $(BUILD)
	@if [ -z "$(P4_PROGS)" ]; then echo "make build: no programs in p4src/"; fi
ifeq ($(TARGET),softswitch)
	@for p in $(P4_PROGS); do \
	  echo "softswitch compile p4src/$$p.p4 -> $(BUILD)/$$p.p4info.txtpb, $(BUILD)/$$p.bin"; \
	  $(VENV)/bin/softswitch compile p4src/$$p.p4 --p4info $(BUILD)/$$p.p4info.txtpb --config $(BUILD)/$$p.bin || exit 2; \
	done
else ifeq ($(TARGET),bmv2)
	@command -v p4c-bm2-ss >/dev/null || { echo "make build TARGET=bmv2: p4c-bm2-ss is not on PATH (p4c cannot be installed from the registries this machine reaches)"; exit 2; }
	@for p in $(P4_PROGS); do \
	  echo "p4c-bm2-ss p4src/$$p.p4 -> $(BUILD)/$$p.p4info.txtpb, $(BUILD)/$$p.json"; \
	  p4c-bm2-ss p4src/$$p.p4 -o $(BUILD)/$$p.json --p4runtime-files $(BUILD)/$$p.p4info.txtpb || exit 2; \
	done
else
	@echo "make build: unknown TARGET '$(TARGET)' (softswitch or bmv2)"; exit 2
endif

# The one-region demo: an edge switch, four IoT devices, two customer VPCs and the controller
# (REST on 127.0.0.1:8080), left running in the background; `make stop` takes it all down.
# Each `make run` starts from an empty registry (DEMO_DB).
DEMO_TOPO ?= topo/demo/topology.json
DEMO_DB   := build/run/p4e.db

run: venv apt build
	@$(PY) -m topo.runner down $(DEMO_TOPO) --quiet || true
	@rm -f $(DEMO_DB)
	$(PY) -m topo.runner up $(DEMO_TOPO) --target $(TARGET)
	@$(PY) -m topo.demo.scenario --topology $(DEMO_TOPO)

stop:
	@if [ -x $(PY) ]; then $(PY) -m topo.runner down $(DEMO_TOPO); else echo "make stop: no $(VENV), so nothing of the demo runs"; fi

# PTF tests of p4src/edge.p4 against the TARGET switch on veth pairs in a network namespace (root).
# `make ptf PTF_TESTS=edge_upstream` runs one module.
.PHONY: ptf
ptf: venv apt build
	$(PY) ptf-tests/run_ptf.py --target $(TARGET) --build-dir $(BUILD) $(PTF_TESTS)

# Debian packages for network namespaces and veth topologies (root only; skipped otherwise).
apt:
	@if [ "$$(id -u)" = 0 ]; then \
	  missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi; \
	else echo "make apt: not root, not installing$(APT_PKGS)"; fi

lint: venv
	$(VENV)/bin/ruff check softswitch controlplane tests bench topo ptf-tests

typecheck: venv
	$(VENV)/bin/mypy
	MYPYPATH=ptf-tests $(VENV)/bin/mypy --strict --explicit-package-bases ptf-tests/*.py

pytest: venv tools-venv apt build
	$(VENV)/bin/pytest -q -p no:cacheprovider

test: venv tools-venv apt build
	$(VENV)/bin/pip check
	$(TOOLS)/bin/pip check
	$(MAKE) --no-print-directory lint typecheck
	$(VENV)/bin/pytest -q -p no:cacheprovider

# Run p4c's public STF corpus from a local snapshot (never committed): make corpus P4C_DIR=/path/to/p4c
corpus: venv
	$(PY) bench/stf_corpus.py $(P4C_DIR)

bench: venv
	$(PY) bench/engine_pps.py

shell: tools-venv build
	$(TOOLS)/bin/python -m p4runtime_sh --grpc-addr $${GRPC_ADDR:-127.0.0.1:9559} \
	  --config $(BUILD)/$${PROG:-edge}.p4info.txtpb,$(BUILD)/$${PROG:-edge}.bin

clean:
	rm -rf build .mypy_cache .ruff_cache .pytest_cache
