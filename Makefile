# The two commands a newcomer needs: `make run` and `make test`. Both install any missing
# Debian packages first (only those missing), then configure and build.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

# chromium: the real browser that tests/ui/tst_htmlreport opens a report in (headless, no network).
# nodejs (with npm): tests/engine/tst_opossumexport installs real opossum into the build tree;
# python3-yaml: a real YAML parser for tests/app/tst_exportpolicycommand's YAML exports;
# nginx: the real reverse proxy whose access log tests/net/tst_nginximport imports.
PACKAGES := cmake ninja-build g++ pkg-config qt6-base-dev qt6-charts-dev qt6-httpserver-dev \
            qt6-websockets-dev qt6-svg-dev libgl1-mesa-dev libbenchmark-dev xvfb xauth \
            prometheus-cpp-dev prometheus clang libclang-rt-14-dev time ccache parallel \
            chromium nodejs python3-yaml nginx

# Quality gates (README, "Quality gates"): each in its own build directory.
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
SOAK_CALLS ?= 10000000
SOAK_MAX_GROWTH_KIB ?= 1024
SOAK_REAL_SECONDS ?= 600
# The engine's multi-threaded tests, run again under ThreadSanitizer.
TSAN_TESTS := tst_concurrency tst_schedulers tst_scenariorunner tst_circuitbreaker
HEADLESS_DIR ?= build-headless
# The command-line tests, run again against the headless binary (ctest folders, and their targets).
HEADLESS_TEST_FOLDERS := app net monitoring
HEADLESS_TESTS := $(basename $(notdir $(foreach f,$(HEADLESS_TEST_FOLDERS),$(wildcard tests/$(f)/tst_*.cpp))))

# ccache, when present, lets every build tree (clones, worktrees, sanitizer and fuzz trees) reuse
# objects compiled from the same sources: paths below this folder are hashed relative to it, and
# the build folder is left out of the hash (debug info may then name another tree's folder).
LAUNCHER := $(if $(shell command -v ccache),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
export CCACHE_BASEDIR ?= $(CURDIR)
export CCACHE_NOHASHDIR ?= 1

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Every build tree is configured alike, so that ccache serves one tree's objects to another.
CONFIGURE := cmake -S . -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(LAUNCHER) $(CMAKE_FLAGS)

.PHONY: all deps configure build run test bench clean sanitize fuzz soak headless

all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing missing packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

$(BUILD_DIR)/build.ninja:
	$(CONFIGURE) -B $(BUILD_DIR)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	$(BUILD_DIR)/app/breakwater

test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j $(JOBS)

bench: build
	@mkdir -p $(BUILD_DIR)/bench
	$(BUILD_DIR)/tests/bench/breakwater_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
	  --benchmark_out=$(BUILD_DIR)/bench/engine.json --benchmark_out_format=json
	QT_QPA_PLATFORM=offscreen $(BUILD_DIR)/tests/bench/breakwater_gui_bench --benchmark_repetitions=5 \
	  --benchmark_report_aggregates_only=true --benchmark_out=$(BUILD_DIR)/bench/gui.json --benchmark_out_format=json
	$(BUILD_DIR)/tests/bench/breakwater_net_bench --benchmark_min_time=2 --benchmark_repetitions=5 \
	  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
	  --benchmark_out=$(BUILD_DIR)/bench/net.json --benchmark_out_format=json
	$(BUILD_DIR)/tests/bench/breakwater_bench_report $(BUILD_DIR)/bench/engine.json $(BUILD_DIR)/bench/gui.json; status=$$?; \
	tests/bench/time-run.py $(BUILD_DIR)/app/breakwater tests/bench/scenarios/hour-at-1000.json $(BUILD_DIR)/bench/run.json || status=1; \
	tests/bench/time-sweep.py $(BUILD_DIR)/app/breakwater $(BUILD_DIR)/bench/sweep.json || status=1; \
	tests/bench/gui-memory.sh $(BUILD_DIR)/app/breakwater tests/bench/scenarios/day-at-100.json $(BUILD_DIR)/bench/gui-memory.json; \
	exit $$status

# The whole test suite under ASan+UBSan (halting at the first finding, leaks included), a short
# soak for LeakSanitizer, then the engine's multi-threaded tests under TSan. Presets: CMakePresets.json.
# The `validate` label (the validation suite, ~100 s under ASan) is left out: tst_validatecommand
# runs the same suite through the same sanitized binary.
sanitize: deps
	cmake --preset asan $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS) -LE validate
	ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 build-asan/tests/soak/breakwater_soak --calls 200000 \
	  --scenario resources/scenarios/outage-and-recovery.json --real-seconds 30
	cmake --preset tsan $(LAUNCHER) $(CMAKE_FLAGS)
	cmake --build --preset tsan -j $(JOBS) --target $(TSAN_TESTS)
	ctest --preset tsan -j $(JOBS) -R '^engine/($(subst $() ,|,$(TSAN_TESTS)))$$'

# The headless build (README, "Headless build"): every command but the window. Its binary must
# link no Qt Widgets, Charts or Svg, and the command-line tests and the validation suite run
# against it; only what they need is built (the engine's objects come from ccache).
$(HEADLESS_DIR)/build.ninja:
	$(CONFIGURE) -B $(HEADLESS_DIR) -DBREAKWATER_GUI=OFF

headless: deps $(HEADLESS_DIR)/build.ninja
	cmake --build $(HEADLESS_DIR) -j $(JOBS) --target breakwater $(HEADLESS_TESTS)
	@if ldd $(HEADLESS_DIR)/app/breakwater | grep -E 'libQt6(Widgets|Charts|Svg)'; then \
	  echo "$(HEADLESS_DIR)/app/breakwater links the GUI libraries above"; exit 1; fi
	@echo "$(HEADLESS_DIR)/app/breakwater links no Qt Widgets, Charts or Svg (ldd)"
	cd $(HEADLESS_DIR) && ctest --output-on-failure -j $(JOBS) -R '^($(subst $() ,|,$(HEADLESS_TEST_FOLDERS))|validate)/'

# libFuzzer on every loader, FUZZ_SECONDS each, one target per core at a time (tests/fuzz/run.sh);
# clang builds the engine again.
$(FUZZ_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBREAKWATER_FUZZ=ON $(LAUNCHER) $(CMAKE_FLAGS)

fuzz: deps $(FUZZ_DIR)/build.ninja
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_targets
	tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# SOAK_CALLS calls through api(), a simulated day, and SOAK_REAL_SECONDS of real HTTP against a
# chaos target on 127.0.0.1 with faults switching; resident memory must stay flat.
soak: build
	$(BUILD_DIR)/tests/soak/breakwater_soak --calls $(SOAK_CALLS) --scenario tests/soak/day.json \
	  --real-seconds $(SOAK_REAL_SECONDS) --max-growth-kib $(SOAK_MAX_GROWTH_KIB)

# The engine as a library and the app as a Debian package (README, "Use the engine in your own
# code", "Install the app"), from the build tree: `make example` installs it into
# $(BUILD_DIR)/install-check and builds and runs examples/http-client against it; `make package`
# makes $(BUILD_DIR)/breakwater_<version>_<arch>.deb, which `make package-check` installs with
# apt-get, runs and removes.
.PHONY: example package package-check
PACKAGES += dpkg-dev curl

example: build
	tests/install/run-example.sh $(BUILD_DIR)

package: build
	rm -f $(BUILD_DIR)/breakwater_*.deb
	cd $(BUILD_DIR) && cpack

package-check: package
	SUDO=$(SUDO) tests/install/package-check.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan $(FUZZ_DIR) $(HEADLESS_DIR)
