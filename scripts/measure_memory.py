#!/usr/bin/env python3
"""The memory of a local Driftwatch stack: PSS per service and in total.

PSS (proportional set size, /proc/<pid>/smaps_rollup) counts each private page once and
splits a shared page between the processes that map it, so the PSS of several processes
adds up to what they take together (RSS would count shared libraries and forked copies
again for each process). Each service is summed over its whole process tree: the backend
with its server processes and any retrain job's process, the monitoring worker, the
traffic simulator and the dashboard's preview server. PostgreSQL is reported apart: it is
not ours, and on a shared machine it serves other databases too.

    ./scripts/setup.sh --local && .venv/bin/python scripts/measure_memory.py
    .venv/bin/python scripts/measure_memory.py --run-dir /tmp/stack/.run
    .venv/bin/python scripts/measure_memory.py --json

The services are found through the pid files ./scripts/setup.sh --local writes (RUN_DIR,
default .run/: backend.pid, worker.pid, simulator.pid, frontend.pid); without any, by
their command lines (which also finds other stacks on this machine: it says so).
MB here are 2^20 bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ("backend", "worker", "simulator", "frontend")
#: How a service's root process looks when there are no pid files (its argv).
COMMANDS: dict[str, Callable[[list[str]], bool]] = {
    "backend": lambda argv: "app.serve" in argv or "app.main:app" in argv,
    "worker": lambda argv: argv[1:3] == ["-m", "worker"],
    "simulator": lambda argv: argv[1:3] == ["-m", "simulator"],
    "frontend": lambda argv: any(a.endswith("/vite") or a.endswith("vite.js") for a in argv) and "preview" in argv,
}


def pss_kb(pid: int) -> int:
    """PSS of one process in kB (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _parents() -> dict[int, int]:
    """pid -> parent pid of every process."""
    parents = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                raw = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(raw[raw.rindex(")") + 2 :].split()[1])
    return parents


def process_tree(root: int, parents: dict[int, int] | None = None) -> list[int]:
    """``root`` and its live descendants (nothing when ``root`` is gone)."""
    parents = _parents() if parents is None else parents
    if root not in parents:
        return []
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def tree_pss_kb(roots: list[int], parents: dict[int, int] | None = None) -> tuple[int, int]:
    """Summed PSS (kB) of the trees under ``roots`` and how many processes they hold."""
    parents = _parents() if parents is None else parents
    pids = {pid for root in roots for pid in process_tree(root, parents)}
    return sum(pss_kb(pid) for pid in pids), len(pids)


def _argv(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")[:-1]
    except OSError:
        return []


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def from_pid_files(run_dir: Path) -> dict[str, list[int]]:
    """The services setup.sh started, by their pid files (a stale file is left out)."""
    found = {}
    order = {name: i for i, name in enumerate(SERVICES)}
    for path in sorted(run_dir.glob("*.pid"), key=lambda p: (order.get(p.stem, len(order)), p.stem)):
        try:
            pid = int(path.read_text().strip())
        except (OSError, ValueError):
            continue
        if Path(f"/proc/{pid}").exists():
            found[path.stem] = [pid]
    return found


def discovered(parents: dict[int, int]) -> dict[str, list[int]]:
    """Each service's root processes by command line: the top-most match of its tree."""
    found: dict[str, list[int]] = {}
    for service, matches in COMMANDS.items():
        hits = {pid for pid in parents if pid != os.getpid() and matches(_argv(pid))}
        found[service] = sorted(pid for pid in hits if parents.get(pid) not in hits)
    return {service: pids for service, pids in found.items() if pids}


def postgres_roots(parents: dict[int, int]) -> list[int]:
    """The postmaster(s): postgres processes whose parent is not one."""
    postgres = {pid for pid in parents if _comm(pid) in ("postgres", "postmaster")}
    return sorted(pid for pid in postgres if parents.get(pid) not in postgres)


def measure(services: dict[str, list[int]], parents: dict[int, int]) -> dict[str, dict[str, Any]]:
    """PSS (MB), process count and root pids of each service."""
    report = {}
    for service, roots in services.items():
        kb, count = tree_pss_kb(roots, parents)
        report[service] = {"pss_mb": kb / 1024, "processes": count, "roots": roots}
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run-dir", type=Path, help="the stack's RUN_DIR (default: $RUN_DIR, else .run/)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    args = parser.parse_args(argv)

    parents = _parents()
    run_dir = args.run_dir or Path(os.environ.get("RUN_DIR") or ROOT / ".run")
    services = from_pid_files(run_dir)
    source = f"pid files in {run_dir}"
    if not services:
        if args.run_dir:
            print(f"no running service has a pid file in {run_dir}", file=sys.stderr)
            return 1
        services = discovered(parents)
        source = f"command lines (no pid files in {run_dir})"
        if not services:
            print("no Driftwatch service runs here (start one with ./scripts/setup.sh --local)", file=sys.stderr)
            return 1
    ours = measure(services, parents)
    total = sum(s["pss_mb"] for s in ours.values())
    pg_roots = postgres_roots(parents)
    postgres = measure({"postgresql": pg_roots}, parents)["postgresql"] if pg_roots else None

    if args.json:
        print(json.dumps({"source": source, "services": ours, "total_mb": total, "postgresql": postgres}, indent=1))
        return 0
    print(f"PSS of the Driftwatch stack (found by {source})")
    for service, entry in ours.items():
        several = f"  ({len(entry['roots'])} instances: {entry['roots']})" if len(entry["roots"]) > 1 else ""
        print(f"  {service:<12} {entry['pss_mb']:8.1f} MB  {entry['processes']:>3} processes{several}")
    print(f"  {'total':<12} {total:8.1f} MB")
    if postgres:
        print(
            f"  {'postgresql':<12} {postgres['pss_mb']:8.1f} MB  {postgres['processes']:>3} processes"
            "  (not counted: the whole server, other databases included)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
