#!/usr/bin/env bash
# Whole-process timing of `breakwater run` (docs/performance.md: a one-hour, 1,000 calls/s
# scenario, no events file, at least 3,000 × faster than real time). Runs it N times and reports
# the median wall time and the speed-up over real time; writes the figures to OUT.json.
set -euo pipefail
binary=$1 scenario=$2 out=$3 runs=${4:-5}
scenario_seconds=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['durationMs']/1000)" "$scenario")
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s.%N)
  "$binary" run "$scenario" --summary /dev/null
  end=$(date +%s.%N)
  times+=("$(python3 -c "print(f'{$end - $start:.3f}')")")
done
python3 - "$out" "$scenario_seconds" "${times[@]}" <<'PY'
import json, statistics, sys
out, scenario_seconds, times = sys.argv[1], float(sys.argv[2]), [float(t) for t in sys.argv[3:]]
median = statistics.median(times)
result = {"benchmark": "breakwater_run_hour_at_1000", "runs_s": times, "median_s": median,
          "speedup_over_real_time": scenario_seconds / median, "target": 3000}
json.dump(result, open(out, "w"), indent=2)
print(f"| breakwater run, 1 h at 1,000 calls/s | {median:.2f} s median of {len(times)} | "
      f"{scenario_seconds / median:,.0f} × real time | ≥ 3,000 × | {'yes' if scenario_seconds / median >= 3000 else '**no**'} |")
PY
