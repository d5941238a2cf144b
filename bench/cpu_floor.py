"""Benchmark: how much CPU an audit of the fixture store takes, per process, and the wall time that
CPU alone allows on this machine's cores: the floor under any scheduling of the same work.

The speed issue's targets are wall times (fixture store warm ≤ 2× linkinator, cold ≤ 3×). Overlapping
stages only helps while a core is idle; once the work's CPU seconds divided by the cores exceed a
target, no overlap reaches it: only less CPU per audit does (or more cores). This runs linkinator and
the auditor (cold: a fresh database, every picture OCR'd; warm: the same database) on the fixture
store, samples the CPU time of every process in the auditor's tree (Python, Playwright's Node driver,
Chromium's browser, renderer, GPU and utility processes) every 0.1 s, and prints per run: the wall
time, the machine's busy share, the CPU seconds by process kind and `CPU ÷ cores`.

    .venv/bin/python bench/cpu_floor.py --reps 2

Sampling misses the last ≤ 0.1 s of a process that exits between samples, so the CPU seconds are a
lower bound (and the floor with them).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.audit_bench import tree  # noqa: E402
from bench.compare_bench import NOW, run_linkinator, served  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
CORES = len(os.sched_getaffinity(0))


def _kind(pid: int) -> str:
    try:
        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "gone"
    if "chrom" in cmd or "headless_shell" in cmd or "--type=" in cmd:  # (a zygote's child: /proc/self/exe)
        found = re.search(r"--type=([\w-]+)", cmd)
        return f"chromium {found.group(1) if found else 'browser'}"
    if "node" in cmd.split(" ", 1)[0] or "/driver/" in cmd:
        return "playwright driver (node)"
    return "python (auditor)" if "python" in cmd else cmd.split(" ", 1)[0][-30:]


def _tree_cpu(root: int, seen: dict[int, tuple[str, float]]) -> None:
    """Each process of root's tree: its kind and the CPU seconds it has used so far (all its threads)."""
    for pid, fields in tree(root).items():
        kind = seen[pid][0] if pid in seen else _kind(pid)
        seen[pid] = (kind, (int(fields[11]) + int(fields[12])) / TICK)


def _machine() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values), values[3] + values[4]  # all, idle + iowait


def audit(url: str, work: Path, phase: str) -> dict[str, object]:
    (work / "config.yaml").write_text(
        f"storage: {{url: sqlite:///{work / 'b.db'}}}\ncrawl: {{carousel_watch_ms: 3000}}\n"
        f"stores: [{{name: bench, url: '{url}'}}]\n",
        encoding="utf-8",
    )
    cmd = [str(ROOT / ".venv/bin/python"), "-m", "auditor", "audit", "--config", "config.yaml", "--now", NOW]
    seen: dict[int, tuple[str, float]] = {}
    all0, idle0 = _machine()
    t0 = time.monotonic()
    proc = subprocess.Popen([*cmd, "--fail-on", "never"], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    seen[proc.pid] = ("python (auditor)", 0.0)
    while proc.poll() is None:
        _tree_cpu(proc.pid, seen)
        time.sleep(0.1)
    wall = time.monotonic() - t0
    all1, idle1 = _machine()
    by_kind: dict[str, float] = {}
    for kind, cpu in seen.values():
        by_kind[kind] = by_kind.get(kind, 0.0) + cpu
    cpu = sum(by_kind.values())
    return {
        "phase": phase,
        "wall_s": round(wall, 2),
        "busy": round(1 - (idle1 - idle0) / max(1, all1 - all0), 2),
        "cpu_s": round(cpu, 2),
        "floor_s": round(cpu / CORES, 2),
        "by_kind": {k: round(v, 2) for k, v in sorted(by_kind.items(), key=lambda kv: -kv[1])},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()
    rows: list[dict[str, object]] = []
    with served("fixture", 0) as (url, _), tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.reps):
            work = Path(tmp) / f"rep{rep}"
            work.mkdir()
            link = run_linkinator(url, work)
            print(link, flush=True)
            for phase in ("cold", "warm"):
                row = {"rep": rep, "linkinator_s": link["seconds"], **audit(url, work, phase)}
                print(row, flush=True)
                rows.append(row)
    link_s = statistics.median(float(r["linkinator_s"]) for r in rows)  # type: ignore[arg-type]
    print(f"\n{CORES} cores; linkinator median {link_s:.1f} s")
    print("| run | wall s | machine busy | CPU s (whole tree) | CPU ÷ cores s | target s | floor ÷ target |")
    print("|---|---|---|---|---|---|---|")
    for phase, factor in (("cold", 3), ("warm", 2)):
        mine = [r for r in rows if r["phase"] == phase]
        wall = statistics.median(float(r["wall_s"]) for r in mine)  # type: ignore[arg-type]
        busy = statistics.median(float(r["busy"]) for r in mine)  # type: ignore[arg-type]
        cpu = statistics.median(float(r["cpu_s"]) for r in mine)  # type: ignore[arg-type]
        target = factor * link_s
        print(
            f"| {phase} | {wall:.1f} | {busy:.0%} | {cpu:.1f} | {cpu / CORES:.1f} | {target:.1f} (≤ {factor}×) "
            f"| {cpu / CORES / target:.2f} |"
        )


if __name__ == "__main__":
    main()
