"""Names every generated module can use: rare operations as functions, and the exit signal.

The generator emits the frequent operations inline; these cover the rest. They are bound into the
generated module's namespace under the names in :data:`PRELUDE`.
"""

from __future__ import annotations

from collections.abc import Sequence

from softswitch.engine import bits


class ExitSignal(Exception):
    """Raised by a P4 ``exit`` statement; caught where the top-level control was called."""


class FatalError(Exception):
    """A failed ``assert``/``assume``: BMv2 logs and terminates the switch process. softswitch
    raises this so the caller can report it and stop."""


def hdr_eq(a: Sequence[object], b: Sequence[object]) -> bool:
    """Header equality: both invalid, or both valid with equal fields."""
    if not a[0] and not b[0]:
        return True
    return bool(a[0]) and bool(b[0]) and list(a[1:]) == list(b[1:])


def agg_eq(a: Sequence[object], b: Sequence[object], segments: tuple[tuple[bool, int, int], ...]) -> bool:
    """Equality of two aggregate values laid out alike. ``segments`` are (is_header, start, stop)
    ranges: a header compares equal when both are invalid, or both valid with equal fields."""
    for is_header, start, stop in segments:
        if is_header:
            if not a[start] and not b[start]:
                continue
            if not (a[start] and b[start]) or list(a[start + 1:stop]) != list(b[start + 1:stop]):
                return False
        elif list(a[start:stop]) != list(b[start:stop]):
            return False
    return True


def csum16_int(value: int, nbits: int) -> int:
    """The Internet checksum (complemented) of ``nbits`` of data given as one integer; the data
    is padded with zero bits to a multiple of 16 (equal to :func:`hashing.csum16` of the bytes)."""
    pad = -nbits % 16
    total = value << pad
    if total == 0:
        return 0xFFFF
    rem = total % 0xFFFF
    return 0 if rem == 0 else 0xFFFF - rem


def csum16_payload(value: int, nbits: int, payload: bytes) -> int:
    """csum16 of the packed fields (padded to whole bytes) followed by ``payload``."""
    pad = -nbits % 8
    n = len(payload)
    return csum16_int(((value << pad) << (n << 3)) | int.from_bytes(payload, "big"), nbits + pad + (n << 3))


def pack_int(value: int, nbits: int) -> bytes:
    """``nbits`` of data held in an integer → bytes, zero-padded on the right to whole bytes."""
    pad = -nbits % 8
    return (value << pad).to_bytes((nbits + pad) >> 3, "big")


PRELUDE: dict[str, object] = {
    "_shl": bits.shl,
    "_shr_s": lambda v, n, w: bits.shr(v, n, w, True),
    "_sat_add": bits.sat_add,
    "_sat_sub": bits.sat_sub,
    "_div": bits.div,
    "_mod": bits.mod,
    "_hdr_eq": hdr_eq,
    "_agg_eq": agg_eq,
    "_Exit": ExitSignal,
    "_Fatal": FatalError,
    "_csum16_int": csum16_int,
    "_pack_int": pack_int,
    "_csum16_payload": csum16_payload,
    "_from_bytes": int.from_bytes,
}
