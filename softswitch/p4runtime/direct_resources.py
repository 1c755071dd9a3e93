"""Direct counters and direct meters of table entries, with PI's checks and error codes.

A write may carry a direct counter's data or a direct meter's config inside its TableEntry, or
name an entry in a DirectCounterEntry / DirectMeterEntry. Everything that can refuse such data is
checked here *before* the table changes, so a refused update leaves no trace:

- :func:`decode_direct_data` checks the fields themselves (INVALID_ARGUMENT);
- :func:`check_meter_rates` tries the rates on a scratch meter, the check BMv2 makes after PI's
  (UNKNOWN when the committed rate exceeds the peak rate);
- :func:`apply_direct_data` then stores them, and cannot fail.

:func:`installed_entry` finds the entry a DirectCounterEntry / DirectMeterEntry names; as in PI, a
key that matches no installed entry is INVALID_ARGUMENT (the key cannot be mapped to an entry).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from finsy.proto import p4r

from softswitch.engine.stateful import MeterState
from softswitch.engine.tables import Entry
from softswitch.p4runtime.action_codec import bad
from softswitch.p4runtime.p4info_index import TableInfo

if TYPE_CHECKING:
    from softswitch.p4runtime.table_entries import TableCodec

__all__ = [
    "MeterRates",
    "apply_direct_data",
    "check_meter_rates",
    "decode_direct_data",
    "decode_meter_config",
    "installed_entry",
    "set_entry_meter",
]

MeterRates = tuple[int, int, int, int]
"""A P4Runtime meter config as (cir, cburst, pir, pburst); all zero means "reset"."""


def decode_meter_config(config: p4r.MeterConfig) -> MeterRates:
    values = (config.cir, config.cburst, config.pir, config.pburst)
    for name, value in zip(("cir", "cburst", "pir", "pburst"), values, strict=True):
        if value < 0:
            raise bad(f"meter config: {name} must not be negative")
    return values


def check_meter_rates(rates: MeterRates) -> None:
    """Refuse rates the meter itself would refuse (UNKNOWN, as BMv2), without touching any meter."""
    if any(rates):
        MeterState().set_rates_p4runtime(*rates)


def set_entry_meter(installed: Entry[Any], rates: MeterRates) -> None:
    """Configure (or, with every rate 0, reset) the direct meter of an entry.

    A refused config leaves the entry's meter as it was: the meter checks the rates before it
    changes anything.
    """
    if not any(rates):
        if installed.meter is not None:
            installed.meter.reset()
        return
    meter = installed.meter if installed.meter is not None else MeterState()
    meter.set_rates_p4runtime(*rates)
    installed.meter = meter


def decode_direct_data(info: TableInfo, entry: p4r.TableEntry) -> tuple[MeterRates | None, bool, bool]:
    """(meter rates or None, whether counter data is given, plain) for a written TableEntry, where
    plain means it has no direct-resource field. The meter rates are decoded, not yet tried: see
    :func:`check_meter_rates`."""
    rates = None
    has_meter = entry.HasField("meter_config")
    has_counter = entry.HasField("counter_data")
    if has_meter:
        if not info.direct_meter_id:
            raise bad(f"table {info.name!r} has no direct meter")
        rates = decode_meter_config(entry.meter_config)
    if has_counter:
        if not info.direct_counter_id:
            raise bad(f"table {info.name!r} has no direct counter")
        data = entry.counter_data
        if data.packet_count < 0 or data.byte_count < 0:
            raise bad("counter values must not be negative")
    return rates, has_counter, not (has_meter or has_counter)


def apply_direct_data(
    installed: Entry[Any], entry: p4r.TableEntry, rates: MeterRates | None, has_counter: bool
) -> None:
    """Store checked counter data and meter rates (see :func:`decode_direct_data` and
    :func:`check_meter_rates`) in an installed entry."""
    if has_counter:
        data = entry.counter_data
        installed.packets = data.packet_count
        installed.bytes = data.byte_count
    if rates is not None:
        set_entry_meter(installed, rates)


def installed_entry(codec: TableCodec, table_entry: p4r.TableEntry) -> Entry[Any]:
    """The installed entry with ``table_entry``'s match and priority; INVALID_ARGUMENT if none."""
    found = codec.find(table_entry)
    if found is None:
        raise bad(f"table {codec.name!r}: the given match key is not that of an installed entry")
    return found
