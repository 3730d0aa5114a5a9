# Earmark: `make demo` trains and predicts on the built-in demo data; `make test` runs every test.
# Missing Debian packages are installed first (apt-get, as root, only when one is missing).

SWIFT          ?= swift
APT_PACKAGES   := pkg-config libopenblas-dev libsndfile1-dev libfftw3-dev libsoxr-dev \
                  libopenmpi-dev openmpi-bin
RELEASE_FLAGS  := -c release
DEMO_DIR       ?= demo-run

.PHONY: deps build release test demo bench bench-check clean configs install fuzz

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

build: deps
	$(SWIFT) build

release: deps
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Trains the reference CNN on the built-in demo data (generated into $(DEMO_DIR)/demo), then
# predicts every demo file; prints where the report is.
demo: release
	mkdir -p $(DEMO_DIR)
	.build/release/train --mode conv --data $(DEMO_DIR)
	.build/release/predict --data $(DEMO_DIR)
	@echo "report: $(DEMO_DIR)/demo/runs/conv/report.md (curves.svg and confusion.svg beside it)"

clean:
	rm -rf .build

# The shipped configs built into the binaries (Sources/Pipeline/Config/BuiltInConfigs.swift, committed):
# run after adding or changing a cfg/*.yaml; BuiltInConfigTests fails while the embed is stale.
configs:
	scripts/embed-configs.sh

# Installs the command-line tools into $(PREFIX)/bin and their shell completions (bash, zsh, fish)
# under $(PREFIX)/share. `export` is not installed: it does not exist yet.
PREFIX   ?= /usr/local
TOOLS    := train predict preprocess
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

# --- Benchmarks (BENCHMARKS.md): Earmark's `bench` beside Keras, PyTorch and the feature libraries.
# The peers live in benchmarks/.venv (git-ignored). It sees the system's site-packages, so packages
# the machine already has (tensorflow-cpu, librosa, ...) are not downloaded again. torch: a CPU-only
# wheel from pip's find-links folders when one is there, because PyPI's torch pulls ~3 GB of CUDA
# libraries that a CPU benchmark never loads; otherwise PyPI's torch.
BENCH_VENV   := benchmarks/.venv
BENCH_ROUNDS ?= 3
BENCH_PIP    := tensorflow-cpu python_speech_features librosa safetensors soundfile

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
	$(BENCH_VENV)/bin/python benchmarks/run.py --rounds $(BENCH_ROUNDS)

bench-check: deps
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product bench
	EARMARK_NATIVE=1 $(SWIFT) build $(RELEASE_FLAGS) --product predict
	python3 benchmarks/run.py --check

# --- Fuzzing (docs/RELIABILITY.md): libFuzzer targets for the readers of untrusted files, a separate
# package in Fuzz/ built with AddressSanitizer into .build-fuzz (git-ignored). Each target runs for
# FUZZ_SECONDS from its committed seeds in Tests/Fuzz/<corpus> (read only; what the fuzzer finds goes to
# .build-fuzz/corpus/); the first crash, leak, timeout or sanitizer report fails `make fuzz` and leaves
# the input in .build-fuzz/crash-<target>-*. Runs at the lowest priority so builds keep the cores.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := FuzzAudioDecoder:audio FuzzSafeTensors:safetensors FuzzConfig:config FuzzCSV:csv
FUZZ_FLAGS   := -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library

fuzz: deps
	nice -n 19 $(SWIFT) build --package-path Fuzz --scratch-path .build-fuzz $(FUZZ_FLAGS)
	@for t in $(FUZZ_TARGETS); do \
	  name=$${t%%:*}; corpus=$${t##*:}; mkdir -p .build-fuzz/corpus/$$corpus; \
	  echo "fuzzing $$name for $(FUZZ_SECONDS) s (seeds: Tests/Fuzz/$$corpus)"; \
	  nice -n 19 .build-fuzz/debug/$$name -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=.build-fuzz/crash-$$name- .build-fuzz/corpus/$$corpus Tests/Fuzz/$$corpus \
	    || { echo "$$name failed: the input is in .build-fuzz/crash-$$name-*"; exit 1; }; \
	done
