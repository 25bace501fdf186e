#!/usr/bin/env bash
# Runs every fuzz target of a BREAKWATER_FUZZ build for a bounded time each (`make fuzz`).
# Usage: tests/fuzz/run.sh BUILD_DIR SECONDS [TARGET...]
# New inputs go to BUILD_DIR/fuzz-corpus/<target> (the seeds in tests/fuzz/corpus/<target> are
# only read); a crash leaves its input in BUILD_DIR/fuzz-artifacts/ and fails the run. Keep a
# crash as tests/fuzz/regressions/<target>/<name> once fixed: tst_fuzzregressions reads it again.
set -uo pipefail
build=$1 seconds=$2
shift 2
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then # every target the build has
  for binary in "$build"/tests/fuzz/fuzz_*; do [ -x "$binary" ] && [ -f "$binary" ] && targets+=("$(basename "$binary")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no fuzz targets in $build/tests/fuzz"; exit 1; }
mkdir -p "$build/fuzz-artifacts"
# One target per core at a time (FUZZ_JOBS, default: every core): each fuzzer is single-threaded,
# so on two cores the gate takes half the wall time for the same fuzzing per target.
jobs=${FUZZ_JOBS:-$(nproc)}
fuzz_one() {
  local target=$1 binary=$build/tests/fuzz/$1
  [ -x "$binary" ] || { echo "fuzz: $binary is not built"; return 1; }
  local work=$build/fuzz-corpus/$target
  mkdir -p "$work"
  local dict=()
  [ -f "$source_dir/tests/fuzz/$target.dict" ] && dict=(-dict="$source_dir/tests/fuzz/$target.dict")
  local log=$build/fuzz-artifacts/$target.log start status runs corpus
  start=$(date +%s)
  # -max_len: loader inputs are small files; -timeout: a single input taking 10 s is a hang.
  "$binary" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    "${dict[@]}" -artifact_prefix="$build/fuzz-artifacts/$target-" "$work" "$source_dir/tests/fuzz/corpus/$target" \
    >"$log" 2>&1
  status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  corpus=$(ls "$work" | wc -l)
  echo "fuzz: $target: $(( $(date +%s) - start )) s, ${runs:-?} inputs run, corpus $corpus, exit $status"
  if [ $status -ne 0 ]; then
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written|deadly signal' "$log" | head -20
    return 1
  fi
}
declare -A running=() # pid -> target
failed=()
reap() { # waits for one running fuzzer; records it if it failed
  local pid
  wait -n -p pid "${!running[@]}"
  local status=$?
  [ $status -eq 0 ] || failed+=("${running[$pid]}")
  unset "running[$pid]"
}
for target in "${targets[@]}"; do
  while [ ${#running[@]} -ge "$jobs" ]; do reap; done
  fuzz_one "$target" &
  running[$!]=$target
done
while [ ${#running[@]} -gt 0 ]; do reap; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]} (logs and inputs in $build/fuzz-artifacts/)"
  exit 1
fi
echo "fuzz: all ${#targets[@]} targets passed"
