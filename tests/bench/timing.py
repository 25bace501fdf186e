"""Whole-process timing for `make bench` (docs/performance.md): each run's wall time, CPU time
and the load average it started under, since the machines are shared and a figure means little
without the load it was measured at."""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def load_average():
    """The one-minute load average, as uptime shows it."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def timed(argv):
    """Runs argv to its end, its output discarded; its wall and CPU (user + system) seconds and
    the load it started under. Exits with its error output when it fails: a failed run has no time
    worth judging."""
    load = load_average()
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            sys.exit(f"{' '.join(argv)} failed (exit {os.waitstatus_to_exitcode(status)}):\n"
                     + errors.read().decode(errors="replace"))
    return {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3), "load": load}


def medians(runs):
    """The median wall and CPU time of some runs, and the range of the loads they met."""
    loads = [r["load"] for r in runs]
    return {"median_wall_s": statistics.median(r["wall_s"] for r in runs),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "load": [min(loads), max(loads)]}


def load_text(load):
    low, high = load
    return f"load average {low:.1f}" if f"{low:.1f}" == f"{high:.1f}" else f"load average {low:.1f}-{high:.1f}"
