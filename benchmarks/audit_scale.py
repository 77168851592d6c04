"""Scale check of ``conduct-rules audit``: wall time, CPU time and memory over a large JSON Lines
file, against the floor of reading and decoding the same file.

Why a script and not a test: speed and memory depend on the machine and on what else runs; a
timed test would be flaky and prove little. This prints figures, and whether they meet the targets
(issue 14: 1,000,000 records in at most 5 s wall on 2 cores and at most 200 MB peak for the whole
process tree; issue 4 before it: 60 s, 50 MB growth).

The floor: the same file read line by line and decoded by the same decoder the audit uses
(``msgspec`` into the typed case, ``audit.fastjson``; every field checked on the way), no rules
and no output, in one process; printed in the same run, with the ratio of the audit to it (wall
and CPU). The standard library's ``json.loads`` over the same file is printed too. On a machine
shared with other jobs wall times say little; CPU seconds (user + system, from the kernel) are
the figure to compare.

Records: ``full`` spells out every field as exports write them (about 1,170 bytes a line);
``sparse`` gives only the fields that differ from the defaults (about 390 bytes); ``both`` runs
each.

What it does: writes N seeded synthetic records (``conduct_rules.audit.sample``, 1% broken as
exports break, plus one line that is not JSON) to a temporary file; runs ``conduct-rules audit FILE
--format jsonl --out OUT`` once on a small file (the baseline) and once on the full file, sampling
the resident memory of the command and of its worker processes every 50 ms; then checks that the
output has exactly one line per input record, in input order.

Memory growth is the peak of the full run minus the peak of the baseline run, per process kind
(main, largest worker) and for the whole process tree: what a million records add beyond the
fixed cost of the interpreter, the engine and the worker pool.

Run: ``python benchmarks/audit_scale.py [--n 1000000] [--baseline 20000] [--workers N]
[--records full|sparse|both]``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from conduct_rules import Case
from conduct_rules.audit.sample import sample_cases

_DEFAULTS: dict[str, object] = Case.parse({"case_id": "x"}).model_dump(mode="json")

TARGET_WALL_S = 5.0
TARGET_PEAK_MB = 200.0
TARGET_GROWTH_MB = 50.0
_FLOOR = """
import gc, json, sys, time, resource
from conduct_rules.audit.fastjson import FastCases
decode = FastCases().case if sys.argv[2] == "msgspec" else json.loads
gc.disable()  # as the audit's workers decode
t0 = time.perf_counter()
n = 0
with open(sys.argv[1], "rb") as fh:
    for line in fh:
        if line.strip():
            try:
                decode(line)
            except ValueError:
                pass
            n += 1
ru = resource.getrusage(resource.RUSAGE_SELF)
print(n, time.perf_counter() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024)
"""


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of one process so far (``/proc/PID/stat`` fields 14 and 15)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@dataclass
class Sampler:
    """Polls the RSS of a process and its descendants until stopped."""

    pid: int
    main_peak_kb: int = 0
    worker_peak_kb: int = 0
    tree_peak_kb: int = 0
    workers_seen: set[int] = field(default_factory=set)
    cpu: dict[int, float] = field(default_factory=dict)  # last CPU seconds seen per process
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            main = _rss_kb(self.pid)
            self._cpu(self.pid)
            total = main
            todo = _children(self.pid)
            while todo:
                child = todo.pop()
                self.workers_seen.add(child)
                self._cpu(child)
                rss = _rss_kb(child)
                self.worker_peak_kb = max(self.worker_peak_kb, rss)
                total += rss
                todo += _children(child)
            self.main_peak_kb = max(self.main_peak_kb, main)
            self.tree_peak_kb = max(self.tree_peak_kb, total)
            time.sleep(0.05)

    def _cpu(self, pid: int) -> None:
        value = _cpu_s(pid)
        if value is not None:
            self.cpu[pid] = value

    def stop(self) -> None:
        self._stop.set()


def _command() -> list[str]:
    script = Path(sys.executable).with_name("conduct-rules")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from conduct_rules.cli.main import main; main()"]


def _full(case: dict[str, object]) -> dict[str, object]:
    """Every field spelled out, as exports write them: the defaults with the case laid over."""
    out: dict[str, object] = {}
    for key, default in _DEFAULTS.items():
        value = case.get(key, default)
        if isinstance(default, dict) and isinstance(value, dict):
            value = {**default, **value}
        out[key] = value
    for key, value in case.items():  # a broken record keeps what breaks it
        out.setdefault(key, value)
    return out


def write_input(path: Path, n: int, seed: int, records: str = "sparse") -> int:
    """N records (1% broken, one line not JSON); returns the number of lines written."""
    full = records == "full"
    with path.open("w", encoding="utf-8") as fh:
        lines = []
        for i, case in enumerate(sample_cases(n - 1, seed=seed, invalid_share=0.01)):
            if full:
                lines.append(json.dumps(_full(case)))
            else:
                lines.append(json.dumps(case, separators=(",", ":")))
            if i == n // 2:
                lines.append('{"case_id": "truncated", "services": {')
            if len(lines) >= 10_000:
                fh.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            fh.write("\n".join(lines) + "\n")
    return n


@dataclass
class Floor:
    wall_s: float
    cpu_s: float
    maxrss_mb: float


def floor(inp: Path, decoder: str = "msgspec") -> Floor:
    """Read and decode every line of ``inp`` with the audit's decoder, no rules (in a child).

    ``msgspec``: the audit's decoder (``audit.fastjson``: each line into the typed case, every
    field checked); ``json``: the standard library's ``json.loads``, for comparison.
    """
    proc = subprocess.run(
        [sys.executable, "-c", _FLOOR, str(inp), decoder],
        capture_output=True,
        text=True,
        check=True,
    )
    _, wall, cpu, rss = proc.stdout.split()
    return Floor(float(wall), float(cpu), float(rss))


@dataclass
class Run:
    wall_s: float
    main_peak_mb: float
    worker_peak_mb: float
    tree_peak_mb: float
    workers: int
    maxrss_mb: float  # wait4's figure: the largest single process of the tree
    cpu_s: float  # user + system time of the command and its (reaped) workers
    main_cpu_s: float  # the command's own process (last sample, up to 50 ms short)
    worker_cpu_s: float  # the busiest worker (last sample)


def audit(inp: Path, out: Path, workers: int | None) -> Run:
    cmd = [*_command(), "audit", str(inp), "--format", "jsonl", "--out", str(out)]
    if workers:
        cmd += ["--workers", str(workers)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.stop()
    thread.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"audit failed ({proc.returncode}): {err}")
    print(f"    {err.strip()}")
    return Run(
        wall,
        sampler.main_peak_kb / 1024,
        sampler.worker_peak_kb / 1024,
        sampler.tree_peak_kb / 1024,
        len(sampler.workers_seen),
        usage.ru_maxrss / 1024,
        usage.ru_utime + usage.ru_stime,
        sampler.cpu.get(proc.pid, 0.0),
        max((v for k, v in sampler.cpu.items() if k != proc.pid), default=0.0),
    )


def check_output(out: Path, expected_rows: int) -> None:
    """Exactly one line per input row, rows strictly increasing (input order)."""
    last = 0
    count = 0
    with out.open("rb") as fh:
        for line in fh:
            row = json.loads(line)["row"]
            if row <= last:
                raise SystemExit(f"output out of order at line {count + 1}")
            last = row
            count += 1
    if count != expected_rows:
        raise SystemExit(f"output has {count} lines for {expected_rows} input rows")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="records in the full run")
    ap.add_argument("--baseline", type=int, default=20_000, help="records in the baseline run")
    ap.add_argument("--workers", type=int, default=None, help="passed to --workers")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--records", choices=["full", "sparse", "both"], default="both")
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(
        f"conduct-rules audit scale check: {args.n:,} records, {cores} cores, "
        f"Python {sys.version.split()[0]}"
    )
    kinds = ["full", "sparse"] if args.records == "both" else [args.records]
    for kind in kinds:
        print(f"\n== {kind} records ==")
        measure(args, kind, cores)


def measure(args: argparse.Namespace, kind: str, cores: int) -> None:
    """One kind of record: baseline and full audits, the floor, and the report."""
    with tempfile.TemporaryDirectory(prefix="audit-scale-") as tmp:
        runs = {}
        for name, n in (("baseline", args.baseline), ("full", args.n)):
            inp, out = Path(tmp, f"{name}.jsonl"), Path(tmp, f"{name}.out.jsonl")
            t0 = time.perf_counter()
            rows = write_input(inp, n, args.seed, kind)
            size = inp.stat().st_size
            print(
                f"  {name}: wrote {rows:,} lines ({size / 1e6:.0f} MB, {size / rows:.0f} B/line)"
                f" in {time.perf_counter() - t0:.1f} s; auditing"
            )
            runs[name] = audit(inp, out, args.workers)
            check_output(out, rows)
            print(f"    output: {rows:,} lines, one per input row, in input order")
            if name == "full":
                fl = floor(inp)
                fl_json = floor(inp, "json")
            inp.unlink()
            out.unlink()
        base, full = runs["baseline"], runs["full"]
    rate = args.n / full.wall_s
    load = os.getloadavg()[0]
    print()
    print(f"  load average (1 min) at the end: {load:.1f} on {cores} cores — other processes")
    print("  compete for the cores when it exceeds the core count; CPU time does not depend on it")
    print(
        f"  wall time            {full.wall_s:8.1f} s    ({rate:,.0f} records/s, "
        f"{1e6 / rate:.1f} µs/record; target ≤ {TARGET_WALL_S:.0f} s for 1,000,000)"
    )
    bound = max(full.cpu_s / cores, full.main_cpu_s, full.worker_cpu_s)
    print(
        f"  CPU time (all procs) {full.cpu_s:8.1f} s    ({1e6 * full.cpu_s / args.n:.1f} µs/record;"
        f" main process {full.main_cpu_s:.1f} s, busiest worker {full.worker_cpu_s:.1f} s)"
    )
    print(
        f"  on {cores} idle cores   ≥ {bound:7.1f} s    (the larger of CPU time / cores and the "
        "busiest process)"
    )
    print(
        f"  floor: read + decode into the typed case (msgspec, the audit's decoder), no rules, "
        f"one process: wall {fl.wall_s:.1f} s, CPU {fl.cpu_s:.1f} s "
        f"({1e6 * fl.cpu_s / args.n:.1f} µs/record), peak {fl.maxrss_mb:.0f} MB"
    )
    print(
        f"  (for comparison, read + json.loads: wall {fl_json.wall_s:.1f} s, CPU "
        f"{fl_json.cpu_s:.1f} s, {1e6 * fl_json.cpu_s / args.n:.1f} µs/record)"
    )
    print(
        f"  audit / floor        wall × {full.wall_s / fl.wall_s:.1f}, "
        f"CPU × {full.cpu_s / fl.cpu_s:.1f}"
    )
    print(f"  worker processes     {full.workers:8d}")
    print("  peak RSS (MB)          baseline      full    growth")
    rows_ = (
        ("main process", base.main_peak_mb, full.main_peak_mb),
        ("largest worker", base.worker_peak_mb, full.worker_peak_mb),
        ("process tree", base.tree_peak_mb, full.tree_peak_mb),
        ("wait4 ru_maxrss", base.maxrss_mb, full.maxrss_mb),
    )
    for label, b, f in rows_:
        print(f"  {label:<20} {b:9.1f} {f:9.1f} {f - b:+9.1f}")
    growth = max(full.main_peak_mb - base.main_peak_mb, full.worker_peak_mb - base.worker_peak_mb)
    scaled = args.n == 1_000_000
    ok_wall = full.wall_s * (1_000_000 / args.n) <= TARGET_WALL_S  # linear: the run streams
    print()
    print(
        f"  per-process growth {growth:+.1f} MB (issue 4 target ≤ {TARGET_GROWTH_MB:.0f} MB): "
        f"{'met' if growth <= TARGET_GROWTH_MB else 'NOT met'}"
    )
    print(
        f"  process-tree peak {full.tree_peak_mb:.0f} MB (target ≤ {TARGET_PEAK_MB:.0f} MB): "
        f"{'met' if full.tree_peak_mb <= TARGET_PEAK_MB else 'NOT met'}"
    )
    contended = load > cores
    print(
        f"  wall time {'' if scaled else '(scaled to 1,000,000) '}{'met' if ok_wall else 'NOT met'}"
        + (f" — measured while other processes kept {load:.1f} cores busy" if contended else "")
    )


if __name__ == "__main__":
    main()
