#!/usr/bin/env bash
# `make example` (README, "Use the engine in your own code"): the engine as a library, end to end.
# Installs BUILD into a fresh prefix, builds examples/http-client and tests/install/consumer
# against it with CMake (find_package(Breakwater)) and the consumer again with pkg-config
# (breakwater.pc). Then runs the example against a chaos target on 127.0.0.1 that answers 503 until
# the breaker opens and 200 from then on, and checks the breaker's whole cycle in its output, and
# that the target received exactly the attempts the example reports. Stops what it started.
# Work files are in BUILD/install-check (stable paths, so ccache reuses the compilations).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
work=$build/install-check
prefix=$work/prefix

fail() { echo "run-example: $*" >&2; exit 1; }
target_pid=""
stop_target() {
  if [ -n "$target_pid" ]; then kill "$target_pid" 2>/dev/null || true; wait "$target_pid" 2>/dev/null || true; fi
}
trap stop_target EXIT

rm -rf "$prefix"
mkdir -p "$work"
cmake --install "$build" --prefix "$prefix" > "$work/install.log" || { cat "$work/install.log"; fail "cmake --install failed"; }
launcher=()
compiler=(g++)
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); compiler=(ccache g++); fi
for project in examples/http-client tests/install/consumer; do
  dir=$work/$(basename "$project")
  cmake -S "$project" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_PREFIX_PATH="$(realpath "$prefix")" \
    "${launcher[@]}" > /dev/null
  cmake --build "$dir"
done
"$work/consumer/builtin-scenarios" | grep '^:/scenarios/outage-and-recovery.json: ' > /dev/null \
  || fail "the CMake consumer cannot read the built-in scenarios"

# pkg-config, as a Makefile or another build system would use it.
pc=$(find "$prefix" -name breakwater.pc)
[ -n "$pc" ] || fail "no breakwater.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
read -ra cflags <<< "$(pkg-config --cflags breakwater)"
read -ra libs <<< "$(pkg-config --libs breakwater)"
"${compiler[@]}" "${cflags[@]}" tests/install/consumer/main.cpp -o "$work/builtin-scenarios-pc" "${libs[@]}"
"$work/builtin-scenarios-pc" | grep '^:/scenarios/outage-and-recovery.json: ' > /dev/null \
  || fail "the pkg-config consumer cannot read the built-in scenarios"

# The example against a service failing on demand.
coproc target { exec "$build/app/breakwater" chaos-target --port 0 --settings '{"errorRate":1,"status":503}'; }
target_pid=$target_PID
read -r -t 30 listening <&"${target[0]}" || fail "the chaos target did not start"
url=${listening##* } # "chaos target listening on http://127.0.0.1:PORT"
log=$work/example.log
: > "$log"
timeout 60 "$work/http-client/http-client" --calls 40 "$url/payments" | while IFS= read -r line; do
  echo "  $line"
  echo "$line" >> "$log"
  # The service recovers once the breaker has opened: it must let trial calls through and close.
  if [[ $line == *"-> OPEN" ]] && ! grep -q -- '-> HALF_OPEN' "$log"; then
    curl -fsS -X PUT -d '{"errorRate":0}' "$url/_chaos" > /dev/null
  fi
done
received=$(curl -fsS "$url/_chaos/stats" | grep -o '"requests":[0-9]*' | cut -d: -f2)

# The breaker's cycle, in this order.
expect=(
  'call 1: failure (503), 2 attempts'
  'breaker payments: CLOSED -> OPEN'
  'circuit_open (CIRCUIT_OPEN), 0 attempts'
  'breaker payments: OPEN -> HALF_OPEN'
  'breaker payments: HALF_OPEN -> CLOSED'
  'call 40: success, 1 attempt'
  'health: healthy'
)
line=0
for text in "${expect[@]}"; do
  found=$(awk -v after="$line" -v text="$text" 'NR > after && index($0, text) { print NR; exit }' "$log")
  [ -n "$found" ] || fail "expected '$text' after line $line of the example's output"
  line=$found
done
attempts=$(grep -o '[0-9]* attempts\?,' "$log" | awk '{ n += $1 } END { print n }')
[ "$attempts" = "$received" ] || fail "the example made $attempts attempts, the target received $received"
echo "run-example: CMake and pkg-config consumers built; the breaker opened, refused, probed and closed;" \
  "$attempts attempts, all received by the target"
