"""Judging an STF run as p4c's BMv2 runner does (P4TARGET.md 3.5), and showing the outcome.

Per port named in a ``packet`` or ``expect`` line, the number of packets received must equal the
number of ``expect`` lines, and the packets must match them in order. ``*`` is a don't-care nibble; a
trailing ``$`` forbids bytes past the pattern, otherwise extra trailing bytes are fine; a bare
``expect <port>`` takes any one packet. Output on ports the file never names is not checked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from .commands import ExpectCmd

Status = Literal["pass", "fail", "error", "unsupported"]

_ROW_BYTES = 16
_MAX_ROWS = 64


@dataclass(frozen=True, slots=True)
class PacketCheck:
    """The ``index``-th packet of a port: what was expected, what came, and what is wrong (if anything)."""

    index: int
    expect: ExpectCmd | None  # None: more packets came than were expected
    received: bytes | None  # None: fewer packets came than were expected
    problem: str | None  # None: this packet is fine


@dataclass(frozen=True, slots=True)
class PortResult:
    port: int
    expected: int
    received: int
    checks: tuple[PacketCheck, ...]

    @property
    def ok(self) -> bool:
        return self.expected == self.received and all(c.problem is None for c in self.checks)


@dataclass(frozen=True, slots=True)
class StfResult:
    """The outcome of an STF run.

    ``status`` is "pass", "fail" (packets differ), "error" (the test could not run; ``message`` says
    why and names the line) or "unsupported" (the target lacks something the test needs).
    ``unchecked`` lists (port, packet count) for output on ports the test never names. ``notes`` holds
    what STF does not judge: refused CLI commands, values read, check_counter outcomes, ignored lines.
    """

    status: Status
    ports: tuple[PortResult, ...] = ()
    unchecked: tuple[tuple[int, int], ...] = ()
    notes: tuple[str, ...] = ()
    message: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "pass"


def compare_packet(expect: ExpectCmd, received: bytes) -> str | None:
    """What is wrong with ``received`` as the packet ``expect`` describes, or None if it matches."""
    pattern = expect.pattern
    if pattern is None:
        return None
    got = received.hex().upper()
    if expect.exact and len(got) > len(pattern):
        return f"too long: {len(received)} bytes, expected exactly {_bytes_of(pattern)}"
    if len(got) < len(pattern):
        return f"too short: {len(received)} bytes, expected at least {_bytes_of(pattern)}"
    bad = _mismatched_bytes(pattern, got)
    if bad:
        return f"differs in {len(bad)} byte{'s' if len(bad) > 1 else ''}, first at offset {bad[0]}"
    return None


def _bytes_of(pattern: str) -> str:
    n = len(pattern) / 2
    return f"{n:g} bytes"


def _mismatched_bytes(pattern: str, got: str) -> list[int]:
    bad: list[int] = []
    for i, want in enumerate(pattern):
        if want != "*" and (i >= len(got) or got[i] != want) and (not bad or bad[-1] != i // 2):
            bad.append(i // 2)
    return bad


def judge(
    named_ports: set[int],
    expectations: Mapping[int, Sequence[ExpectCmd]],
    outputs: Mapping[int, Sequence[bytes]],
    notes: Sequence[str] = (),
) -> StfResult:
    """Compare what came out with what the test expects."""
    ports: list[PortResult] = []
    for port in sorted(named_ports):
        want = list(expectations.get(port, ()))
        got = list(outputs.get(port, ()))
        checks: list[PacketCheck] = []
        for i in range(max(len(want), len(got))):
            e = want[i] if i < len(want) else None
            r = got[i] if i < len(got) else None
            if e is None:
                problem: str | None = "not expected"
            elif r is None:
                problem = "not received"
            else:
                problem = compare_packet(e, r)
            checks.append(PacketCheck(i, e, r, problem))
        ports.append(PortResult(port, len(want), len(got), tuple(checks)))
    unchecked = tuple((p, len(pkts)) for p, pkts in sorted(outputs.items()) if p not in named_ports and pkts)
    status: Status = "pass" if all(p.ok for p in ports) else "fail"
    return StfResult(status, tuple(ports), unchecked, tuple(notes))


# ----- text --------------------------------------------------------------------------------------


def format_result(result: StfResult) -> str:
    """A readable report: the verdict, then per port the packets that differ, with a hex diff."""
    lines: list[str] = []
    if result.status in ("error", "unsupported"):
        lines.append(f"STF {result.status.upper()}: {result.message or 'the test could not run'}")
    else:
        total = sum(p.received for p in result.ports)
        names = ", ".join(str(p.port) for p in result.ports) or "none"
        verdict = "PASS" if result.passed else "FAIL"
        lines.append(
            f"STF {verdict}: {total} packet{'s' if total != 1 else ''} out on checked ports ({names})"
        )
    for port in result.ports:
        _format_port(port, lines)
    if result.unchecked:
        listed = ", ".join(f"port {p} ({n} packet{'s' if n != 1 else ''})" for p, n in result.unchecked)
        lines.append(f"output on ports the test never names (not checked): {listed}")
    if result.notes:
        lines.append("notes:")
        lines.extend(f"  {n}" for n in result.notes)
    return "\n".join(lines)


def _format_port(port: PortResult, lines: list[str]) -> None:
    if port.ok:
        lines.append(f"port {port.port}: ok ({port.received} packet{'s' if port.received != 1 else ''})")
        return
    lines.append(f"port {port.port}: expected {port.expected} packets, received {port.received}")
    for check in port.checks:
        where = f" (expect at line {check.expect.line})" if check.expect is not None else ""
        if check.problem is None:
            lines.append(f"  packet {check.index}{where}: ok")
            continue
        lines.append(f"  packet {check.index}{where}: {check.problem}")
        lines.extend("      " + row for row in hex_diff(check.expect, check.received))


def hex_diff(expect: ExpectCmd | None, received: bytes | None) -> list[str]:
    """Rows of 16 bytes: ``exp`` (the pattern, ``*`` kept), ``got``, and ``^^`` under bytes that differ.

    Past the end of a pattern without ``$`` the expected row is blank and extra bytes are fine.
    """
    pattern = None if expect is None else expect.pattern
    got = None if received is None else received.hex().upper()
    exact = expect is not None and expect.exact
    n_bytes = max((len(pattern) + 1) // 2 if pattern else 0, len(received or b""))
    rows: list[str] = []
    for start in range(0, n_bytes, _ROW_BYTES):
        if len(rows) >= 3 * _MAX_ROWS:
            rows.append(f"... ({n_bytes - start} more bytes)")
            break
        exp_cells, got_cells, marks = [], [], []
        for i in range(start, min(start + _ROW_BYTES, n_bytes)):
            e = _pattern_byte(pattern, i, exact)
            g = got[2 * i : 2 * i + 2] if got is not None and 2 * i < len(got) else "--"
            exp_cells.append(e)
            got_cells.append(g)
            marks.append("^^" if _byte_differs(e, g, pattern is not None, exact) else "  ")
        if pattern is not None:
            rows.append(f"{start:04x} exp {' '.join(exp_cells).rstrip()}")
        if got is not None:
            rows.append(f"{'' if pattern is not None else f'{start:04x}':4} got {' '.join(got_cells)}")
        if pattern is not None and got is not None:
            mark_row = " ".join(marks).rstrip()
            if mark_row:
                rows.append(f"{'':4}     {mark_row}")
    return rows


def _pattern_byte(pattern: str | None, i: int, exact: bool) -> str:
    if pattern is None:
        return "  "
    pair = pattern[2 * i : 2 * i + 2]
    if not pair:
        return "--" if exact else "  "
    return pair if len(pair) == 2 else pair + "*"


def _byte_differs(expected: str, got: str, has_pattern: bool, exact: bool) -> bool:
    if not has_pattern or expected == "  ":
        return False
    if expected == "--":
        return got != "--"
    if got == "--":
        return True
    return any(e != "*" and e != g for e, g in zip(expected, got, strict=True))
