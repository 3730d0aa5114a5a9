# Earmark: `make demo` trains and predicts on the built-in demo data; `make test` runs every test.
# Missing Debian packages are installed first (apt-get, as root, only when one is missing).

SWIFT          ?= swift
APT_PACKAGES   := pkg-config libopenblas-dev libsndfile1-dev libfftw3-dev libsamplerate0-dev
RELEASE_FLAGS  := -c release
DEMO_DIR       ?= demo-run

.PHONY: deps build release test demo bench bench-check clean

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
