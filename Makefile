# Earmark: `make demo` trains and predicts on the built-in demo data; `make test` runs every test.
# Missing Debian packages are installed first (apt-get, as root, only when one is missing).

SWIFT          ?= swift
APT_PACKAGES   := pkg-config libopenblas-dev libsndfile1-dev libfftw3-dev libsoxr-dev \
                  libopenmpi-dev openmpi-bin libxsmm-dev
# Debian packages only the tests need: chromium renders report.html headless (ReportPageTests);
# util-linux (prlimit, unshare) and time for the disk-full, read-only and memory tests.
TEST_APT_PACKAGES := chromium util-linux time
RELEASE_FLAGS  := -c release
DEMO_DIR       ?= demo-run

.PHONY: deps test-deps build release test test-venv interop-check demo bench bench-check clean configs install fuzz

deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing; \
	fi

# Like deps, for TEST_APT_PACKAGES; an install that fails only warns: the test needing the package
# then fails unless told to skip it (EARMARK_ALLOW_NO_CHROMIUM=1 for chromium).
test-deps:
	@missing=""; for p in $(TEST_APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing for the tests:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO="sudo"; \
	  ( $$SUDO apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing ) || \
	  echo "warning: could not install$$missing; the tests that need it will fail (see README, Tests)"; \
	fi

build: deps
	$(SWIFT) build

release: deps
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS)

test: deps test-deps test-venv
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The test-only Python environment (git-ignored) that the ONNX export tests run onnxruntime in
# (Tests/ONNX/run_onnx.py) and the interop snippets (docs/interop/) with NumPy. Made when missing.
# Without network it cannot be made: the tests then fail, naming it, unless EARMARK_ALLOW_NO_PYTHON=1,
# which makes them print a skip line instead.
TEST_VENV := Tests/.venv
TEST_PIP  := onnxruntime numpy safetensors
test-venv:
	@if [ ! -f $(TEST_VENV)/.installed ]; then \
	  echo "making $(TEST_VENV): $(TEST_PIP)"; \
	  ( python3 -m venv $(TEST_VENV) && $(TEST_VENV)/bin/pip install -q $(TEST_PIP) && touch $(TEST_VENV)/.installed ) \
	  || { rm -rf $(TEST_VENV); echo "$(TEST_VENV) could not be made (pip install $(TEST_PIP) failed)"; \
	       [ "$${EARMARK_ALLOW_NO_PYTHON:-}" = 1 ] || exit 1; }; \
	fi

# docs/INTEROP.md's Keras and PyTorch snippets, in the benchmark environment (tensorflow-cpu, torch: too
# large for `make test`): a reference-CNN model file and raw windows kept by ONNXExportTests, loaded by
# docs/interop/keras_load.py and torch_load.py, whose probabilities must be within 1e-5 of Earmark's.
INTEROP_DIR := .build/interop
interop-check: deps test-venv $(BENCH_VENV)/.installed
	$(SWIFT) build --build-tests
	rm -rf $(INTEROP_DIR)
	EARMARK_INTEROP_DIR=$(CURDIR)/$(INTEROP_DIR) $(SWIFT) test --skip-build --filter ONNXExportTests/testInteropSnippets
	$(BENCH_VENV)/bin/python docs/interop/keras_load.py $(INTEROP_DIR)/conv.safetensors $(INTEROP_DIR)/windows.npy \
	  $(INTEROP_DIR)/keras.npy
	$(BENCH_VENV)/bin/python docs/interop/torch_load.py $(INTEROP_DIR)/conv.safetensors $(INTEROP_DIR)/windows.npy \
	  $(INTEROP_DIR)/torch.npy
	$(BENCH_VENV)/bin/python docs/interop/compare.py $(INTEROP_DIR)/earmark_probabilities.npy \
	  $(INTEROP_DIR)/keras.npy $(INTEROP_DIR)/torch.npy

# Trains the reference CNN on the built-in demo data (generated into $(DEMO_DIR)/demo), then
# predicts every demo file; prints where the report is.
demo: release
	mkdir -p $(DEMO_DIR)
	.build/release/train --mode conv --data $(DEMO_DIR)
	.build/release/predict --data $(DEMO_DIR)
	@echo "report: $(DEMO_DIR)/demo/runs/conv/report.md (curves.svg and confusion.svg beside it)"
	@echo "report page: $(DEMO_DIR)/demo/runs/conv/report.html (open it in a browser)"

clean:
	rm -rf .build

# The shipped configs built into the binaries (Sources/Pipeline/Config/BuiltInConfigs.swift, committed):
# run after adding or changing a cfg/*.yaml; BuiltInConfigTests fails while the embed is stale.
configs:
	scripts/embed-configs.sh

# Installs the command-line tools into $(PREFIX)/bin and their shell completions (bash, zsh, fish)
# under $(PREFIX)/share.
PREFIX   ?= /usr/local
TOOLS    := train predict preprocess export
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	for t in $(TOOLS); do \
	  install -m 755 .build/release/$$t $(DESTDIR)$(PREFIX)/bin/$$t && \
	  .build/release/$$t --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$t && \
	  .build/release/$$t --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_$$t && \
	  .build/release/$$t --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/$$t.fish \
	  || exit 1; \
	done
	@echo "installed $(TOOLS) into $(DESTDIR)$(PREFIX)/bin"

# --- Benchmarks (BENCHMARKS.md): Earmark's `bench` beside Keras, PyTorch and the feature libraries,
# then the whole runs, 3 of each side alternating (train on 400 44.1 kHz clips, predict 100; data in
# benchmarks/whole-run/).
# Results are kept per CPU model and OpenBLAS kernel; bench-check compares only with this machine's.
# The peers live in benchmarks/.venv (git-ignored). It sees the system's site-packages, so packages
# the machine already has (tensorflow-cpu, librosa, ...) are not downloaded again. torch: a CPU-only
# wheel from pip's find-links folders when one is there, because PyPI's torch pulls ~3 GB of CUDA
# libraries that a CPU benchmark never loads; otherwise PyPI's torch.
BENCH_VENV   := benchmarks/.venv
BENCH_ROUNDS ?= 3
BENCH_PIP    := tensorflow-cpu python_speech_features librosa safetensors soundfile pandas scikit-learn

$(BENCH_VENV)/.installed:
	python3 -m venv --system-site-packages $(BENCH_VENV)
	wheel=""; for d in $$(pip config get global.find-links 2>/dev/null) $${PIP_FIND_LINKS:-}; do \
	  w=$$(ls $$d/torch-*+cpu-*.whl 2>/dev/null | sort -V | tail -1); [ -z "$$w" ] || wheel=$$w; \
	done; \
	echo "torch from: $${wheel:-PyPI}"; \
	$(BENCH_VENV)/bin/pip install $${wheel:-torch} $(BENCH_PIP)
	touch $@

bench: deps $(BENCH_VENV)/.installed
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product bench
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product predict
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product train
	$(BENCH_VENV)/bin/python benchmarks/run.py --rounds $(BENCH_ROUNDS) --whole-run

bench-check: deps
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product bench
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product predict
	python3 benchmarks/run.py --check

# --- Fuzzing (docs/RELIABILITY.md): libFuzzer targets for the readers of untrusted files, a separate
# package in Fuzz/ built with AddressSanitizer into .build-fuzz (git-ignored). Each target runs for
# FUZZ_SECONDS from its committed seeds in Tests/Fuzz/<corpus> (read only; what the fuzzer finds goes to
# .build-fuzz/corpus/); the first crash, leak, timeout or sanitizer report fails `make fuzz` and leaves
# the input in .build-fuzz/crash-<target>-*. Runs at nice 19, which yields to jobs of the same session;
# Linux's autogroups share the cores equally between sessions, see Fuzz/README.md for jobs of others.
# Release (optimised) code with AddressSanitizer: 3-10x the executions per second of a debug build.
# FUZZ_RUNS (-1: no limit) also stops a target after that many executions (FUZZ_SECONDS=0: no time limit).
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= -1
FUZZ_TARGETS := FuzzAudioDecoder:audio FuzzSafeTensors:safetensors FuzzConfig:config FuzzCSV:csv
FUZZ_FLAGS   := -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
# AddressSanitizer keeps no allocation stacks (its reports leave out where a block was allocated or freed;
# detection is the same): 1.2x (config) to 1.45x (safetensors) the executions per second. To see those
# stacks for a finding, run its input again with FUZZ_ASAN_OPTIONS= (empty).
FUZZ_ASAN_OPTIONS ?= malloc_context_size=0

fuzz: deps
	nice -n 19 $(SWIFT) build -c release --package-path Fuzz --scratch-path .build-fuzz $(FUZZ_FLAGS)
	@for t in $(FUZZ_TARGETS); do \
	  name=$${t%%:*}; corpus=$${t##*:}; mkdir -p .build-fuzz/corpus/$$corpus; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS) s (seeds: Tests/Fuzz/$$corpus)"; \
	  ASAN_OPTIONS=$(FUZZ_ASAN_OPTIONS) nice -n 19 .build-fuzz/release/$$name -max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) -timeout=10 \
	    -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/crash-$$name- .build-fuzz/corpus/$$corpus Tests/Fuzz/$$corpus \
	    || { echo "$$name failed: the input is in .build-fuzz/crash-$$name-*"; exit 1; }; \
	done
