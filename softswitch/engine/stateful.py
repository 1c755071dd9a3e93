"""Indexed v1model externs with BMv2 semantics: counters, meters and registers.

Per-packet methods (``CounterArray.count``, ``MeterArray.execute``, ``MeterState.execute``,
``RegisterArray.read``/``write``) never raise: an index past the end does nothing, or returns
``None`` so the caller leaves the destination unwritten. Control-plane methods validate and raise
:class:`EntityError`.

Meters take the current time from the caller, in microseconds since the switch started (the same
clock as ``ingress_global_timestamp``), so they are deterministic under test.
"""

from __future__ import annotations

import enum
import math

from softswitch.engine.entity_errors import EntityError, ErrorCode

GREEN = 0
YELLOW = 1
RED = 2


class CounterKind(enum.Enum):
    """The declared unit of a counter (P4Info's CounterSpec.Unit). BMv2 keeps both anyway."""

    PACKETS = "packets"
    BYTES = "bytes"
    BOTH = "packets_and_bytes"


class MeterUnit(enum.Enum):
    """What a meter measures: one token per packet, or one per byte of the ingress length."""

    PACKETS = "packets"
    BYTES = "bytes"


def _index_error(kind: str, name: str, index: int, size: int) -> EntityError:
    label = f" {name!r}" if name else ""
    return EntityError(ErrorCode.UNKNOWN, f"index {index} is out of range for {kind}{label} of size {size}")


class CounterArray:
    """``counter(size, type)``: packets and bytes per index, whatever the declared kind."""

    __slots__ = ("bytes", "kind", "name", "packets", "size")

    def __init__(self, size: int, kind: CounterKind = CounterKind.BOTH, name: str = "") -> None:
        if size < 0:
            raise ValueError(f"counter {name!r}: size must be >= 0, got {size}")
        self.name = name
        self.size = size
        self.kind = kind
        self.packets: list[int] = [0] * size
        self.bytes: list[int] = [0] * size

    def count(self, index: int, nbytes: int) -> None:
        """Count one packet of ``nbytes`` (the ingress length) at ``index``; out of range does nothing."""
        if 0 <= index < self.size:
            self.packets[index] += 1
            self.bytes[index] += nbytes

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise _index_error("counter", self.name, index, self.size)

    def read(self, index: int) -> tuple[int, int]:
        """Control plane: (packets, bytes) at ``index``."""
        self._check(index)
        return self.packets[index], self.bytes[index]

    def write(self, index: int, packets: int, nbytes: int) -> None:
        """Control plane: overwrite both values at ``index``."""
        self._check(index)
        if packets < 0 or nbytes < 0:
            raise EntityError(ErrorCode.INVALID_ARGUMENT, "counter values must be >= 0")
        self.packets[index] = packets
        self.bytes[index] = nbytes

    def reset(self) -> None:
        """Control plane: zero every index."""
        self.packets[:] = [0] * self.size
        self.bytes[:] = [0] * self.size


class MeterState:
    """One two-rate three-colour meter, as BMv2 runs it (colour-blind RFC 2698).

    Usable on its own as the direct meter of a table entry. Rates are tokens per microsecond; bursts
    are tokens. Token refill follows BMv2 exactly: each bucket remembers how many tokens have been
    earned since time 0 (``floor(now_us * rate)``) and adds the difference since its last update,
    capped at the burst size.
    """

    __slots__ = ("c_last", "c_tokens", "cburst", "cir", "configured", "p_last", "p_tokens", "pburst", "pir")

    def __init__(self) -> None:
        self.configured = False
        self.cir = 0.0
        self.cburst = 0
        self.pir = 0.0
        self.pburst = 0
        self.c_tokens = 0
        self.p_tokens = 0
        self.c_last = 0
        self.p_last = 0

    def set_rates(self, cir_per_us: float, cburst: int, pir_per_us: float, pburst: int) -> None:
        """BMv2 CLI units: ``meter_set_rates m i <cir>:<cburst> <pir>:<pburst>``, rates per µs.

        Both buckets start full. The committed rate may not exceed the peak rate.
        """
        for label, rate in (("committed", cir_per_us), ("peak", pir_per_us)):
            if not (isinstance(rate, int | float) and math.isfinite(rate) and rate >= 0):
                raise EntityError(
                    ErrorCode.INVALID_ARGUMENT, f"meter {label} rate must be a finite number >= 0"
                )
        for label, burst in (("committed", cburst), ("peak", pburst)):
            if not isinstance(burst, int) or burst < 0:
                raise EntityError(ErrorCode.INVALID_ARGUMENT, f"meter {label} burst must be an integer >= 0")
        if cir_per_us > pir_per_us:
            raise EntityError(
                ErrorCode.UNKNOWN,
                f"meter committed rate {cir_per_us} exceeds peak rate {pir_per_us} (invalid info rate)",
            )
        self.cir = float(cir_per_us)
        self.cburst = cburst
        self.pir = float(pir_per_us)
        self.pburst = pburst
        self.c_tokens = cburst
        self.p_tokens = pburst
        self.c_last = 0
        self.p_last = 0
        self.configured = True

    def set_rates_p4runtime(self, cir: int, cburst: int, pir: int, pburst: int) -> None:
        """P4Runtime MeterConfig units: rates per second (divided by 10^6, as PI does), bursts.

        Sending every field unset is a reset; the P4Runtime layer calls :meth:`reset` for that.
        """
        for label, value in (("cir", cir), ("cburst", cburst), ("pir", pir), ("pburst", pburst)):
            if not isinstance(value, int) or value < 0:
                raise EntityError(ErrorCode.INVALID_ARGUMENT, f"meter {label} must be an integer >= 0")
        self.set_rates(cir / 1000000.0, cburst, pir / 1000000.0, pburst)

    def reset(self) -> None:
        """Back to unconfigured: every packet is GREEN."""
        self.configured = False

    def get_rates(self) -> list[tuple[float, int]]:
        """BMv2 CLI view: ``[(cir, cburst), (pir, pburst)]`` per µs, or ``[]`` when unconfigured."""
        if not self.configured:
            return []
        return [(self.cir, self.cburst), (self.pir, self.pburst)]

    def get_rates_p4runtime(self) -> tuple[int, int, int, int] | None:
        """P4Runtime view ``(cir, cburst, pir, pburst)`` or ``None`` when unconfigured.

        Rates are converted back the way BMv2's PI layer does (truncating ``rate * 10^6``), so a few
        values read back one lower than written (249 reads as 248), exactly as on BMv2.
        """
        if not self.configured:
            return None
        return int(self.cir * 1000000.0), self.cburst, int(self.pir * 1000000.0), self.pburst

    def execute(self, now_us: int, amount: int) -> int:
        """Colour one packet: 0 GREEN, 1 YELLOW, 2 RED. ``amount`` is 1 or the ingress length.

        The peak bucket is checked first; if short the packet is RED and nothing is consumed.
        Otherwise the peak bucket is debited and the committed bucket decides YELLOW or GREEN.
        """
        if not self.configured:
            return GREEN
        earned = int(now_us * self.pir)
        if earned > self.p_last:
            tokens = self.p_tokens + earned - self.p_last
            self.p_tokens = tokens if tokens < self.pburst else self.pburst
            self.p_last = earned
        if self.p_tokens < amount:
            return RED
        self.p_tokens -= amount
        earned = int(now_us * self.cir)
        if earned > self.c_last:
            tokens = self.c_tokens + earned - self.c_last
            self.c_tokens = tokens if tokens < self.cburst else self.cburst
            self.c_last = earned
        if self.c_tokens < amount:
            return YELLOW
        self.c_tokens -= amount
        return GREEN


class MeterArray:
    """``meter(size, type)``: only configured indices cost memory."""

    __slots__ = ("_meters", "by_packets", "name", "size", "unit")

    def __init__(self, size: int, unit: MeterUnit, name: str = "") -> None:
        if size < 0:
            raise ValueError(f"meter {name!r}: size must be >= 0, got {size}")
        self.name = name
        self.size = size
        self.unit = unit
        self.by_packets = unit is MeterUnit.PACKETS
        self._meters: dict[int, MeterState] = {}

    def execute(self, index: int, now_us: int, nbytes: int) -> int | None:
        """Colour one packet of ``nbytes`` (ingress length) at ``index``.

        Returns ``None`` for an index out of range (the destination must be left unwritten) and
        GREEN for an unconfigured index.
        """
        if not 0 <= index < self.size:
            return None
        state = self._meters.get(index)
        if state is None:
            return GREEN
        return state.execute(now_us, 1 if self.by_packets else nbytes)

    def _check(self, index: int) -> None:
        if not 0 <= index < self.size:
            raise _index_error("meter", self.name, index, self.size)

    def _state(self, index: int) -> MeterState:
        self._check(index)
        state = self._meters.get(index)
        if state is None:
            state = MeterState()
        return state

    def set_rates(self, index: int, cir_per_us: float, cburst: int, pir_per_us: float, pburst: int) -> None:
        """BMv2 CLI units (per µs). See :meth:`MeterState.set_rates`."""
        state = self._state(index)
        state.set_rates(cir_per_us, cburst, pir_per_us, pburst)
        self._meters[index] = state

    def set_rates_p4runtime(self, index: int, cir: int, cburst: int, pir: int, pburst: int) -> None:
        """P4Runtime units (per second). See :meth:`MeterState.set_rates_p4runtime`."""
        state = self._state(index)
        state.set_rates_p4runtime(cir, cburst, pir, pburst)
        self._meters[index] = state

    def set_all_rates(self, cir_per_us: float, cburst: int, pir_per_us: float, pburst: int) -> None:
        """``meter_array_set_rates``: the same configuration on every index."""
        probe = MeterState()
        probe.set_rates(cir_per_us, cburst, pir_per_us, pburst)  # validate once, before touching state
        for index in range(self.size):
            state = MeterState()
            state.set_rates(cir_per_us, cburst, pir_per_us, pburst)
            self._meters[index] = state

    def reset(self, index: int) -> None:
        """Make ``index`` unconfigured (GREEN)."""
        self._check(index)
        self._meters.pop(index, None)

    def reset_all(self) -> None:
        self._meters.clear()

    def get_rates(self, index: int) -> list[tuple[float, int]]:
        self._check(index)
        state = self._meters.get(index)
        return [] if state is None else state.get_rates()

    def get_rates_p4runtime(self, index: int) -> tuple[int, int, int, int] | None:
        self._check(index)
        state = self._meters.get(index)
        return None if state is None else state.get_rates_p4runtime()


class RegisterArray:
    """``register<T>(size)`` with ``T`` = ``bit<W>`` or ``int<W>``; every cell starts at 0.

    ``values`` holds plain ints: ``0 <= v < 2**W`` for ``bit<W>``, two's-complement range for
    ``int<W>``. Generated code may read ``values`` directly after its own bounds check.
    """

    __slots__ = ("_half", "_mask", "name", "signed", "size", "values", "width")

    def __init__(self, size: int, width: int, signed: bool = False, name: str = "") -> None:
        if size < 0:
            raise ValueError(f"register {name!r}: size must be >= 0, got {size}")
        if width <= 0:
            raise ValueError(f"register {name!r}: width must be > 0, got {width}")
        self.name = name
        self.size = size
        self.width = width
        self.signed = signed
        self._mask = (1 << width) - 1
        self._half = 1 << (width - 1)
        self.values: list[int] = [0] * size

    def wrap(self, value: int) -> int:
        """``value`` reduced to the element type (low W bits, sign-extended for ``int<W>``)."""
        if self.signed:
            return ((value + self._half) & self._mask) - self._half
        return value & self._mask

    def read(self, index: int) -> int | None:
        """Per packet: the value, or ``None`` out of range (leave the destination unchanged)."""
        if 0 <= index < self.size:
            return self.values[index]
        return None

    def write(self, index: int, value: int) -> None:
        """Per packet: store ``value`` wrapped to the width; out of range does nothing."""
        if 0 <= index < self.size:
            if self.signed:
                self.values[index] = ((value + self._half) & self._mask) - self._half
            else:
                self.values[index] = value & self._mask

    def get(self, index: int) -> int:
        """Control plane read."""
        if not 0 <= index < self.size:
            raise _index_error("register", self.name, index, self.size)
        return self.values[index]

    def set(self, index: int, value: int) -> None:
        """Control plane write (wrapped to the width, as BMv2's register_write does)."""
        if not 0 <= index < self.size:
            raise _index_error("register", self.name, index, self.size)
        self.values[index] = self.wrap(value)

    def reset(self) -> None:
        """``register_reset``: every cell back to 0."""
        self.values[:] = [0] * self.size
