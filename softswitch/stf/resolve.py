"""Turning ``add`` and ``setdefault`` lines into table writes, as p4c's BMv2 STF runner does (P4TARGET.md 3.4).

Two kinds of trouble are told apart, because p4c's runner treats them differently:

* :class:`StfLineError`: p4c's runner itself stops with an exception (unknown or ambiguous table,
  action or key, a missing action argument, a ternary value written in decimal, a ternary add without
  priority, a table with a range key...). The test fails.
* :class:`CliError`: the runner would send the command, and simple_switch_CLI would refuse it (a value
  that does not fit, an unparsable number, a prefix longer than the field). STF never looks at CLI
  errors, so the entry is simply not installed and the test goes on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .commands import ActionCall, AddCmd, SetDefaultCmd, StfKey
from .schema import ActionInfo, KeyField, StfSchema, TableInfo
from .target import KeyKind, KeyMatch


class StfLineError(Exception):
    """p4c's STF runner could not run this line; the test fails."""


class CliError(Exception):
    """simple_switch_CLI would refuse the command; it has no effect and the test goes on."""


@dataclass(frozen=True, slots=True)
class EntryWrite:
    """A resolved ``add``: the arguments of :meth:`StfTarget.add_entry`."""

    table: str
    matches: list[KeyMatch]
    action: str
    args: list[int]
    priority: int | None


@dataclass(frozen=True, slots=True)
class DefaultWrite:
    """A resolved ``setdefault``: the arguments of :meth:`StfTarget.set_default`."""

    table: str
    action: str
    args: list[int]


# ----- names -------------------------------------------------------------------------------------


def find_table(schema: StfSchema, name: str) -> TableInfo:
    """The table named exactly ``name``, else the only one whose name ends with it (plain suffix)."""
    for t in schema.tables:
        if t.name == name:
            return t
    found = [t for t in schema.tables if t.name.endswith(name)]
    if len(found) > 1:
        raise StfLineError(f"table name {name!r} is ambiguous: {_names(found)}")
    if not found:
        raise StfLineError(f"no table named {name!r} (tables: {_names(schema.tables)})")
    return found[0]


def find_action(table: TableInfo, name: str) -> ActionInfo:
    """Among the table's actions: the one named exactly ``name``, else the only one ending with it."""
    for a in table.actions:
        if a.name == name:
            return a
    found = [a for a in table.actions if a.name.endswith(name)]
    if len(found) > 1:
        raise StfLineError(f"action name {name!r} is ambiguous in table {table.name}: {_names(found)}")
    if not found:
        raise StfLineError(f"table {table.name} has no action {name!r} (actions: {_names(table.actions)})")
    return found[0]


_STACK_INDEX = re.compile(r"(.*)\$([0-9]+)(.*)")


def find_key(table: TableInfo, written: str) -> KeyField:
    """The match field an STF key name stands for, trying p4c's rules in p4c's order."""
    fields = {k.name: k for k in table.keys}
    name = written
    m = _STACK_INDEX.fullmatch(name)
    if m:
        name = f"{m.group(1)}[{m.group(2)}]{m.group(3)}"
    candidates = [name, name + "$", name + ".$valid$"]
    if name.endswith(".valid"):
        candidates.append(name[: -len("valid")] + "$valid$")
    for c in candidates:
        if c in fields:
            return fields[c]
    for k in table.keys:
        if k.name.endswith("." + name) or k.name.endswith("." + name + "$"):
            return k
        if name == "valid" and k.name.endswith(".$valid$"):
            return k
    if name == "valid" and "$valid$" in fields:
        return fields["$valid$"]
    raise StfLineError(f"table {table.name} has no key field {written!r} (fields: {_names(table.keys)})")


def cli_lookup(names: Iterable[str], written: str) -> str | None:
    """simple_switch_CLI's name lookup: ``written`` must be a unique dot-separated suffix of one name."""
    owners: dict[str, list[str]] = {}
    for full in names:
        parts = full.split(".")
        for i in range(len(parts)):
            owners.setdefault(".".join(parts[i:]), []).append(full)
    found = owners.get(written, [])
    return found[0] if len(found) == 1 else None


def _names(items: Iterable[TableInfo | ActionInfo | KeyField]) -> str:
    return ", ".join(i.name for i in items) or "none"


# ----- add ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _KeyText:
    """A key value as p4c's runner hands it to the CLI, before the CLI parses it."""

    field: KeyField
    kind: KeyKind
    value: str
    mask: str | None = None
    prefix_len: int | None = None


_DIGIT_BITS = {"0x": 4, "0b": 1, "0o": 3}
_FULL_DIGIT = {"0x": "F", "0b": "1", "0o": "7"}


def resolve_add(schema: StfSchema, cmd: AddCmd) -> EntryWrite:
    """Resolve an ``add`` line. Raises :class:`StfLineError` or :class:`CliError`."""
    table = find_table(schema, cmd.table)
    for k in table.keys:
        if k.match_type not in ("exact", "lpm", "ternary", "optional"):
            raise StfLineError(
                f"table {table.name} has a {k.match_type} key ({k.name}); "
                "p4c's BMv2 STF runner cannot add entries to such tables"
            )
    texts = {k.name: _omitted(k) for k in table.keys}
    for key in cmd.keys:
        field = find_key(table, key.name)
        texts[field.name] = _key_text(field, key)
    action = find_action(table, cmd.action.name)
    arg_texts = _arg_texts(action, cmd.action)
    priority: int | None = None
    if table.uses_priority:
        if cmd.priority is None:
            raise StfLineError(f"table {table.name} has ternary keys, so the add needs a priority")
        priority = cmd.priority
    # Everything below is what simple_switch_CLI would check.
    if table.indirect:
        raise CliError(f"table {table.name} uses an action profile; table_add cannot add to it")
    matches = [_key_match(texts[k.name]) for k in table.keys]
    args = _args(action, arg_texts)
    return EntryWrite(table.name, matches, action.name, args, priority)


def resolve_set_default(schema: StfSchema, cmd: SetDefaultCmd) -> DefaultWrite:
    """Resolve a ``setdefault`` line. Raises :class:`StfLineError` or :class:`CliError`."""
    table = find_table(schema, cmd.table)
    action = find_action(table, cmd.action.name)
    arg_texts = _arg_texts(action, cmd.action)
    # p4c's runner passes the names as written; the CLI resolves them by unique dot-suffix.
    if cli_lookup((t.name for t in schema.tables), cmd.table) != table.name:
        raise CliError(f"simple_switch_CLI finds no table {cmd.table!r}")
    if cli_lookup((a.name for a in schema.actions), cmd.action.name) != action.name:
        raise CliError(f"simple_switch_CLI finds no action {cmd.action.name!r} in table {table.name}")
    return DefaultWrite(table.name, action.name, _args(action, arg_texts))


def _omitted(field: KeyField) -> _KeyText:
    if field.match_type in ("ternary", "optional"):
        return _KeyText(field, _kind(field), "0", mask="0")
    if field.match_type == "lpm":
        return _KeyText(field, "lpm", "0", prefix_len=0)
    return _KeyText(field, "exact", "0")


def _kind(field: KeyField) -> KeyKind:
    kinds: dict[str, KeyKind] = {"exact": "exact", "lpm": "lpm", "ternary": "ternary", "optional": "optional"}
    return kinds[field.match_type]


def _key_text(field: KeyField, key: StfKey) -> _KeyText:
    kind = _kind(field)
    if key.prefix_len is not None and kind != "lpm":
        raise StfLineError(f"key {field.name} is {field.match_type}; value/length is only for lpm keys")
    if key.mask is not None and kind not in ("ternary", "optional"):
        raise StfLineError(f"key {field.name} is {field.match_type}; value&&&mask is only for ternary keys")
    if kind == "exact":
        return _KeyText(field, kind, key.value)
    if kind == "lpm":
        if key.prefix_len is not None:
            return _KeyText(field, kind, key.value, prefix_len=key.prefix_len)
        return _lpm_from_digits(field, key.value)
    if key.mask is not None:
        return _KeyText(field, kind, key.value, mask=key.mask)
    return _ternary_from_digits(field, kind, key.value)


def _ternary_from_digits(field: KeyField, kind: KeyKind, text: str) -> _KeyText:
    """Each written digit is fully cared for and each ``*`` not at all: ``0x1*`` is ``0x10&&&0xF0``."""
    prefix = text[:2].lower()
    if prefix not in _DIGIT_BITS:
        raise StfLineError(f"ternary key {field.name}: write the value in hex or binary, not {text!r}")
    digits = text[2:]
    full = _FULL_DIGIT[prefix]
    mask = "".join("0" if c == "*" else full for c in digits)
    return _KeyText(field, kind, prefix + digits.replace("*", "0"), mask=prefix + mask)


def _lpm_from_digits(field: KeyField, text: str) -> _KeyText:
    """The prefix length counts the written non-``*`` digits: ``0x0a01****`` is ``0x0a010000/16``."""
    prefix = text[:2].lower()
    if prefix not in _DIGIT_BITS:
        # p4c's runner turns a decimal value into "0x" + hex(...), which the CLI cannot parse.
        raise CliError(f"lpm key {field.name}: decimal value {text!r} becomes an unparsable '0x0x...' string")
    digits = text[2:]
    length = (len(digits) - digits.count("*")) * _DIGIT_BITS[prefix]
    return _KeyText(field, "lpm", prefix + digits.replace("*", "0"), prefix_len=length)


def _key_match(text: _KeyText) -> KeyMatch:
    f = text.field
    value = _cli_value(text.value, f.bitwidth, f"key {f.name}")
    if text.kind == "lpm":
        assert text.prefix_len is not None
        if text.prefix_len > f.bitwidth:
            raise CliError(f"key {f.name}: prefix length {text.prefix_len} is longer than {f.bitwidth} bits")
        keep = ((1 << text.prefix_len) - 1) << (f.bitwidth - text.prefix_len)
        return KeyMatch(f.name, "lpm", value & keep, prefix_len=text.prefix_len)
    if text.mask is not None:
        mask = _cli_value(text.mask, f.bitwidth, f"mask of key {f.name}")
        return KeyMatch(f.name, text.kind, value & mask, mask=mask)
    return KeyMatch(f.name, text.kind, value)


# ----- action arguments --------------------------------------------------------------------------


def _arg_texts(action: ActionInfo, call: ActionCall) -> dict[str, str]:
    params = {p.name for p in action.params}
    given: dict[str, str] = {}
    for name, value in call.args:
        if name not in params:
            raise StfLineError(f"action {action.name} has no parameter {name!r}")
        given[name] = value
    missing = [p.name for p in action.params if p.name not in given]
    if missing:
        raise StfLineError(f"action {action.name}: no value given for {', '.join(missing)}")
    return given


def _args(action: ActionInfo, texts: dict[str, str]) -> list[int]:
    return [_cli_value(texts[p.name], p.bitwidth, f"parameter {p.name}") for p in action.params]


# ----- numbers as simple_switch_CLI reads them ---------------------------------------------------


def _cli_value(text: str, bitwidth: int, what: str) -> int:
    """Parse like the CLI (``int(text, 0)``), refuse what does not fit the field's whole bytes, and
    cut the rest to ``bitwidth`` bits, as BMv2 does."""
    try:
        value = int(text, 0)
    except ValueError:
        raise CliError(f"{what}: cannot read {text!r} as a number") from None
    if value < 0 or value >= 1 << (8 * ((bitwidth + 7) // 8)):
        raise CliError(f"{what}: {text} does not fit in {bitwidth} bits")
    return value & ((1 << bitwidth) - 1)
