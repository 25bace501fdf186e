#!/usr/bin/env bash
# The desktop app's memory after a 24-hour simulated run at max speed (docs/performance.md:
# ≤ 300 MB resident), offscreen: the real binary runs the scenario to its end, takes a
# screenshot and quits; GNU time reports its peak resident set. Writes the figures to OUT.json.
set -euo pipefail
binary=$1 scenario=$2 out=$3
shot=$(mktemp --suffix=.png)
trap 'rm -f "$shot" "$shot.time"' EXIT
start=$(date +%s.%N)
QT_QPA_PLATFORM=offscreen /usr/bin/time -f '%M' -o "$shot.time" \
  "$binary" --scenario "$scenario" --speed max --run-for 24h --screenshot "$shot"
end=$(date +%s.%N)
test -s "$shot" # the window really drew the end of the day
python3 - "$out" "$(cat "$shot.time")" "$start" "$end" <<'PY'
import json, sys
out, kib, start, end = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
mb = kib / 1024
json.dump({"benchmark": "gui_memory_24h_max_speed", "peak_rss_mb": mb, "wall_s": end - start, "target_mb": 300},
          open(out, "w"), indent=2)
print(f"| desktop app, 24 h at max speed | {mb:.0f} MB peak resident ({end - start:.1f} s) | | ≤ 300 MB | {'yes' if mb <= 300 else '**no**'} |")
PY
