#!/usr/bin/env bash
# `make package-check` (README, "Install the app"): installs BUILD/breakwater_*.deb with apt-get as
# a user would, runs the installed binary headless (`breakwater run`) and offscreen (a screenshot
# of the window), and removes the package again, also on failure, so the machine is left as it
# was. Needs root, or SUDO=sudo.
set -euo pipefail
build=${1:-build}
sudo=${SUDO:-}
export DEBIAN_FRONTEND=noninteractive

fail() { echo "package-check: $*" >&2; exit 1; }
debs=("$build"/breakwater_*.deb)
[ ${#debs[@]} = 1 ] && [ -f "${debs[0]}" ] || fail "expected one $build/breakwater_*.deb (make package), found: ${debs[*]}"
if dpkg-query -W -f='${Status}' breakwater 2>/dev/null | grep -q 'install ok installed'; then
  fail "the breakwater package is installed already: remove it first (apt-get remove breakwater)"
fi

work=$(mktemp -d)
cleanup() {
  $sudo apt-get remove -y -qq breakwater > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
$sudo apt-get install -y -qq "$(realpath "${debs[0]}")" > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install failed"; }

files=$(dpkg-query -L breakwater)
for file in /usr/bin/breakwater /usr/share/applications/breakwater.desktop \
            /usr/share/icons/hicolor/scalable/apps/breakwater.svg /usr/share/doc/breakwater/copyright; do
  grep -qx "$file" <<< "$files" || fail "the package has no $file"
done
[ "$(command -v breakwater)" = /usr/bin/breakwater ] || fail "breakwater on PATH is $(command -v breakwater), not the package's"

# Headless: the default scenario, whose breaker opens during the outage.
breakwater run outage-and-recovery > "$work/summary.json" || fail "breakwater run failed"
grep -q '"circuit_open"' "$work/summary.json" || { cat "$work/summary.json"; fail "breakwater run: no circuit_open in the summary"; }

# The window, offscreen: a screenshot after 10 s of the default scenario.
QT_QPA_PLATFORM=offscreen breakwater --scenario outage-and-recovery --run-for 10s --screenshot "$work/window.png" \
  2> "$work/window.log" || { cat "$work/window.log"; fail "the window did not take its screenshot"; }
[ "$(head -c 8 "$work/window.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
size=$(stat -c %s "$work/window.png")
[ "$size" -gt 20000 ] || fail "the screenshot is $size bytes: an empty window?"

$sudo apt-get remove -y -qq breakwater > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get remove failed"; }
! dpkg-query -W -f='${Status}' breakwater 2>/dev/null | grep -q 'install ok installed' || fail "still installed after apt-get remove"
echo "package-check: $(basename "${debs[0]}") installed, ran (summary, ${size}-byte screenshot) and removed"
