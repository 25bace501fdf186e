# The two commands a newcomer needs: `make run` and `make test`. Both install any missing
# Debian packages first (only those missing), then configure and build.
BUILD_DIR ?= build
JOBS ?= 2
CMAKE_FLAGS ?=

PACKAGES := cmake ninja-build g++ pkg-config qt6-base-dev qt6-charts-dev qt6-httpserver-dev \
            qt6-websockets-dev libqt6svg6-dev libgl1-mesa-dev libbenchmark-dev xvfb xauth \
            prometheus-cpp-dev prometheus

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps configure build run test bench clean

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
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

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
	tests/bench/time-run.sh $(BUILD_DIR)/app/breakwater tests/bench/scenarios/hour-at-1000.json $(BUILD_DIR)/bench/run.json; \
	tests/bench/gui-memory.sh $(BUILD_DIR)/app/breakwater tests/bench/scenarios/day-at-100.json $(BUILD_DIR)/bench/gui-memory.json; \
	exit $$status

clean:
	rm -rf $(BUILD_DIR)
