"""Run p4c's v1model STF corpus through ``softswitch stf`` and print how much of it passes.

Usage::

    python bench/stf_corpus.py [P4C_DIR] [-j N] [-k SUBSTRING] [--extra] [--list-failures] [--json OUT]

P4C_DIR is a p4c checkout or snapshot (default: ``$P4C_DIR``, else ``/work/p4c-snap``). The corpus is
every ``testdata/p4_16_samples/*-bmv2.p4`` that has a ``.stf`` beside it and includes v1model.p4, as
p4c's own BMv2 test set. Each test runs as ``python -m softswitch.cli stf PROG.p4 TEST.stf`` in its
own process, with a time limit per test.

Exit codes of ``softswitch stf`` are read as: 0 pass, 1 fail, 2 compile error, 3 unsupported. A
fail or compile error whose output says "unsupported" (``STF UNSUPPORTED`` or ``file:line:col: unsupported:``)
counts as unsupported; a Python traceback or any other exit code counts as a crash.

This is a benchmark, not a test: it is never collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_P4C_DIR = "/work/p4c-snap"
STATUSES = ("pass", "fail", "compile-error", "unsupported", "timeout", "crash")
_INCLUDES_V1MODEL = re.compile(r'^\s*#\s*include\s*[<"]v1model\.p4[>"]', re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    status: str
    reason: str
    returncode: int | None
    seconds: float


def find_tests(p4c_dir: Path, contains: str | None, extra: bool = False) -> list[tuple[Path, Path]]:
    """(program, stf) pairs of the v1model BMv2 STF corpus, sorted by name. ``extra`` adds the
    other v1model programs with an .stf that p4c runs on BMv2: ``parser-inline/*.p4`` and the
    ``predication_issue_*`` programs the ``*-bmv2.p4`` glob misses."""
    samples = p4c_dir / "testdata" / "p4_16_samples"
    pairs: list[tuple[Path, Path]] = []
    programs = sorted(samples.glob("*-bmv2.p4"))
    if extra:
        programs += sorted(samples.glob("parser-inline/*.p4")) + sorted(samples.glob("predication_issue_*.p4"))
    for prog in programs:
        stf = prog.with_suffix(".stf")
        if not stf.is_file() or (contains is not None and contains not in prog.name):
            continue
        try:
            text = prog.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if _INCLUDES_V1MODEL.search(text):
            pairs.append((prog, stf))
    return pairs


def run_one(prog: Path, stf: Path, timeout: float) -> Outcome:
    name = prog.stem
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "softswitch.cli", "stf", str(prog), str(stf)]
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.communicate()
        return Outcome(name, "timeout", f"no result after {timeout:g} s", None, time.monotonic() - start)
    seconds = time.monotonic() - start
    status, reason = classify(proc.returncode, out, err)
    return Outcome(name, status, reason, proc.returncode, seconds)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


def classify(returncode: int, out: str, err: str) -> tuple[str, str]:
    """The status of one run and a one-line reason."""
    text = out + "\n" + err
    if "Traceback (most recent call last)" in err:
        lines = [ln for ln in err.splitlines() if ln.strip()]
        return "crash", f"exit {returncode}: {lines[-1].strip() if lines else 'traceback'}"
    unsupported = "STF UNSUPPORTED" in text or ": unsupported:" in text
    if returncode == 0:
        return "pass", ""
    if returncode == 3 or (returncode in (1, 2) and unsupported):
        return "unsupported", _first_line(text, ("unsupported",))
    if returncode == 1:
        return "fail", _first_line(
            text, ("STF ERROR", "expected", "differs", "too long", "too short", "not ")
        )
    if returncode == 2:
        return "compile-error", _first_line(text, ("error:",))
    return "crash", f"exit {returncode}: {_first_line(text, ())}"


def _first_line(text: str, markers: tuple[str, ...]) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for marker in markers:
        for ln in lines:
            if marker in ln and not ln.endswith(": ok"):
                return ln[:200]
    return lines[0][:200] if lines else "(no output)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("p4c_dir", nargs="?", default=os.environ.get("P4C_DIR", DEFAULT_P4C_DIR),
                        help="a p4c source tree or snapshot holding testdata/p4_16_samples (default: $P4C_DIR, "
                        f"else {DEFAULT_P4C_DIR})")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="tests run at once")
    parser.add_argument("-k", dest="contains", help="only programs whose file name contains this")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per test (default 60)")
    parser.add_argument("--list-failures", action="store_true", help="one line per test that did not pass")
    parser.add_argument("--json", dest="json_out", type=Path, help="write a JSON summary here")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines")
    parser.add_argument(
        "--extra", action="store_true",
        help="also run parser-inline/*.p4 and predication_issue_*.p4 (v1model programs with an .stf "
        "outside the *-bmv2.p4 glob)",
    )
    args = parser.parse_args(argv)

    p4c_dir = Path(args.p4c_dir)
    if not (p4c_dir / "testdata" / "p4_16_samples").is_dir():
        print(f"error: {p4c_dir} has no testdata/p4_16_samples", file=sys.stderr)
        return 2
    tests = find_tests(p4c_dir, args.contains, args.extra)
    if not tests:
        print("error: no tests found", file=sys.stderr)
        return 2

    started = time.monotonic()
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, prog, stf, args.timeout) for prog, stf in tests]
        for done, future in enumerate(as_completed(futures), start=1):
            outcome = future.result()
            outcomes.append(outcome)
            if not args.quiet:
                print(
                    f"[{done}/{len(tests)}] {outcome.status:13} {outcome.name}", file=sys.stderr, flush=True
                )
    elapsed = time.monotonic() - started
    outcomes.sort(key=lambda o: o.name)

    counts = Counter(o.status for o in outcomes)
    fraction = counts["pass"] / len(outcomes)
    print(f"STF corpus: {len(outcomes)} tests from {p4c_dir} in {elapsed:.1f} s")
    for status in STATUSES:
        print(f"  {status:14} {counts[status]}")
    print(f"  pass fraction  {fraction:.3f} ({counts['pass']}/{len(outcomes)})")
    if args.list_failures:
        print("not passing:")
        for o in outcomes:
            if o.status != "pass":
                print(f"  {o.name}: {o.status}: {o.reason}")
    if args.json_out is not None:
        summary = {
            "p4c_dir": str(p4c_dir),
            "total": len(outcomes),
            "counts": {s: counts[s] for s in STATUSES},
            "pass_fraction": fraction,
            "seconds": elapsed,
            "results": [asdict(o) for o in outcomes],
        }
        args.json_out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
