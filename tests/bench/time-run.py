#!/usr/bin/env python3
"""Whole-process timing of `breakwater run` (docs/performance.md: a one-hour, 1,000 calls/s
scenario, no events file, at least 3,000 × faster than real time, in wall time).
Usage: time-run.py BREAKWATER SCENARIO.json OUT.json [RUNS]
Runs it RUNS times (5), prints the median as a table row and writes the figures to OUT.json;
exits 1 when the median misses the target."""
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import load_text, medians, timed  # noqa: E402

TARGET = 3000  # × real time

binary, scenario, out = sys.argv[1:4]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
with open(scenario) as f:
    scenario_seconds = json.load(f)["durationMs"] / 1000
times = [timed([binary, "run", scenario, "--summary", os.devnull]) for _ in range(runs)]
m = medians(times)
speedup = scenario_seconds / m["median_wall_s"]
met = speedup >= TARGET
with open(out, "w") as f:
    json.dump({"benchmark": "breakwater_run_hour_at_1000", "runs": times, **m,
               "speedup_over_real_time": speedup, "target": TARGET}, f, indent=2)
print(f"| breakwater run, 1 h at 1,000 calls/s | {m['median_wall_s']:.2f} s median of {runs} "
      f"(CPU {m['median_cpu_s']:.2f} s, {load_text(m['load'])}) | {speedup:,.0f} × real time "
      f"| ≥ {TARGET:,} × | {'yes' if met else '**no**'} |")
if not met:
    print(f"time-run: {os.path.basename(scenario)} ran {speedup:,.0f} × faster than real time "
          f"(median wall time of {runs}, {load_text(m['load'])}); the target is ≥ {TARGET:,} ×", file=sys.stderr)
sys.exit(0 if met else 1)
