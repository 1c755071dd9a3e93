"""Parser for STF, the packet test format that ships with p4c (see P4TARGET.md section 3).

Each non-blank line holds one command; ``#`` starts a comment; command words are case-insensitive.
:func:`parse_stf` returns the typed commands of :mod:`softswitch.stf.commands` (re-exported here),
each with its line number. A syntax error raises :class:`StfSyntaxError` naming every bad line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .commands import (
    ActionCall,
    AddCmd,
    CheckCounterCmd,
    Comparison,
    CounterKind,
    CounterReadCmd,
    CounterWriteCmd,
    ExpectCmd,
    McMgrpCreateCmd,
    McNodeAssociateCmd,
    McNodeCreateCmd,
    McNodeUpdateCmd,
    MeterArraySetRatesCmd,
    MeterGetRatesCmd,
    MeterSetRatesCmd,
    MirroringAddCmd,
    MirroringAddMcCmd,
    MirroringDeleteCmd,
    MirroringGetCmd,
    NoPacketCmd,
    PacketCmd,
    RegisterReadCmd,
    RegisterResetCmd,
    RegisterWriteCmd,
    RemoveCmd,
    SetDefaultCmd,
    StfCommand,
    StfKey,
    WaitCmd,
)

__all__ = [
    "ActionCall",
    "AddCmd",
    "CheckCounterCmd",
    "Comparison",
    "CounterKind",
    "CounterReadCmd",
    "CounterWriteCmd",
    "ExpectCmd",
    "McMgrpCreateCmd",
    "McNodeAssociateCmd",
    "McNodeCreateCmd",
    "McNodeUpdateCmd",
    "MeterArraySetRatesCmd",
    "MeterGetRatesCmd",
    "MeterSetRatesCmd",
    "MirroringAddCmd",
    "MirroringAddMcCmd",
    "MirroringDeleteCmd",
    "MirroringGetCmd",
    "NoPacketCmd",
    "PacketCmd",
    "RegisterReadCmd",
    "RegisterResetCmd",
    "RegisterWriteCmd",
    "RemoveCmd",
    "SetDefaultCmd",
    "StfCommand",
    "StfKey",
    "StfSyntaxError",
    "WaitCmd",
    "parse_stf",
    "parse_stf_file",
]


class StfSyntaxError(Exception):
    """One or more lines of an STF file could not be parsed."""

    def __init__(self, filename: str, errors: list[tuple[int, str]]) -> None:
        self.filename = filename
        self.errors = errors
        super().__init__("\n".join(f"{filename}:{line}: {msg}" for line, msg in errors))


# ----- entry points ------------------------------------------------------------------------------


def parse_stf_file(path: Path) -> list[StfCommand]:
    """Parse the STF file at ``path``. Raises :class:`StfSyntaxError` (also for an unreadable file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StfSyntaxError(str(path), [(0, f"cannot read the file: {e}")]) from None
    return parse_stf(text, str(path))


def parse_stf(text: str, filename: str = "<stf>") -> list[StfCommand]:
    """Parse STF text into commands, in file order."""
    commands: list[StfCommand] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        body = raw.split("#", 1)[0].strip()
        if not body:
            continue
        try:
            commands.append(_parse_line(number, body))
        except _LineError as e:
            errors.append((number, str(e)))
    if errors:
        raise StfSyntaxError(filename, errors)
    return commands


# ----- lines -------------------------------------------------------------------------------------


class _LineError(Exception):
    pass


_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _parse_line(line: int, body: str) -> StfCommand:
    m = _WORD.match(body)
    word = m.group().lower() if m else ""
    rest = body[m.end() :] if m else body
    if m is None or (rest and not rest[0].isspace()):
        raise _LineError(f"a line must start with a command word, not {body.split()[0]!r}")
    if word == "packet":
        return _parse_packet(line, rest)
    if word == "expect":
        return _parse_expect(line, rest)
    if word == "no_packet":
        _Tokens(rest).end()
        return NoPacketCmd(line)
    if word == "remove":
        return RemoveCmd(line, rest.strip())
    handler = _HANDLERS.get(word)
    if handler is None:
        raise _LineError(f"unknown command {word!r}")
    toks = _Tokens(rest)
    command = handler(line, toks)
    toks.end()
    return command


_HEX_RUN = re.compile(r"[0-9A-Fa-f]+")


def _split_port(rest: str, command: str) -> tuple[int, list[str]]:
    words = rest.split()
    if not words or not words[0].isdigit():
        raise _LineError(f"{command} needs a decimal port number")
    return int(words[0]), words[1:]


def _parse_packet(line: int, rest: str) -> PacketCmd:
    port, words = _split_port(rest, "packet")
    digits = "".join(words)
    if not digits:
        raise _LineError("packet needs data")
    if not _HEX_RUN.fullmatch(digits):
        bad = next(c for c in digits if c not in "0123456789abcdefABCDEF")
        raise _LineError(f"packet data may hold only hex digits, not {bad!r}")
    if len(digits) % 2:
        raise _LineError(f"packet data has an odd number of hex digits ({len(digits)})")
    return PacketCmd(line, port, bytes.fromhex(digits))


def _parse_expect(line: int, rest: str) -> ExpectCmd:
    port, words = _split_port(rest, "expect")
    digits = "".join(words)
    if not digits:
        return ExpectCmd(line, port, None)
    exact = digits.endswith("$")
    if exact:
        digits = digits[:-1]
    bad = next((c for c in digits if c not in "0123456789abcdefABCDEF*"), None)
    if bad is not None:
        where = "only at the end" if bad == "$" else "not allowed"
        raise _LineError(f"expect data may hold hex digits and '*'; {bad!r} is {where}")
    return ExpectCmd(line, port, digits.upper(), exact)


# ----- tokens of the other commands --------------------------------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<float>[0-9]+\.[0-9]+(?:[eE][-+]?[0-9]+)?)
    | (?P<num>0[xX][0-9A-Fa-f*]+|0[bB][01*]+|0[oO][0-7*]+|[0-9]+)
    | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
    | (?P<quoted>"[^"]*")
    | (?P<punct>&&&|==|!=|<=|>=|[:,.\[\]()/=<>])
    )""",
    re.VERBOSE,
)

TokenKind = Literal["float", "num", "name", "quoted", "punct"]


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: TokenKind
    text: str


def _tokenize(text: str) -> Iterator[_Tok]:
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            return
        m = _TOKEN.match(text, pos)
        if m is None or m.lastgroup is None:
            raise _LineError(f"unexpected character {text[pos]!r}")
        kind: TokenKind = m.lastgroup  # type: ignore[assignment]
        value = m.group(kind)
        if kind == "quoted":
            value = value[1:-1]
        yield _Tok(kind, value)
        pos = m.end()


class _Tokens:
    def __init__(self, text: str) -> None:
        self._toks = list(_tokenize(text))
        self._pos = 0

    def peek(self, offset: int = 0) -> _Tok | None:
        i = self._pos + offset
        return self._toks[i] if i < len(self._toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise _LineError("the line ends too early")
        self._pos += 1
        return tok

    def at_punct(self, text: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == "punct" and tok.text == text

    def expect_punct(self, text: str) -> None:
        tok = self.take()
        if tok.kind != "punct" or tok.text != text:
            raise _LineError(f"expected {text!r}, found {tok.text!r}")

    def end(self) -> None:
        tok = self.peek()
        if tok is not None:
            raise _LineError(f"unexpected {tok.text!r}")

    def number_text(self, what: str) -> str:
        tok = self.take()
        if tok.kind != "num":
            raise _LineError(f"expected {what} (a number), found {tok.text!r}")
        return tok.text

    def integer(self, what: str) -> int:
        return _to_int(self.number_text(what), what)

    def cli_integer(self, what: str) -> int:
        """A number of a command p4c's harness hands to simple_switch_CLI unchanged: the CLI
        refuses anything but decimal digits ("Bad format for ..."), so softswitch does too."""
        return _cli_decimal(self.number_text(what), what)

    def name(self, what: str) -> str:
        tok = self.take()
        if tok.kind not in ("name", "quoted"):
            raise _LineError(f"expected {what}, found {tok.text!r}")
        return tok.text

    def qualified_name(self, what: str) -> str:
        first = self.take()
        if first.kind == "quoted":
            return first.text
        if first.kind != "name":
            raise _LineError(f"expected {what}, found {first.text!r}")
        parts = [first.text]
        while True:
            if self.at_punct("["):
                self.take()
                index = self.number_text("an index")
                self.expect_punct("]")
                parts.append(f"[{index}]")
            elif self.at_punct(".") and (nxt := self.peek(1)) is not None and nxt.kind == "name":
                self.take()
                parts.append("." + self.take().text)
            else:
                return "".join(parts)


def _cli_decimal(text: str, what: str) -> int:
    if not text.isdigit():
        raise _LineError(f"simple_switch_CLI takes {what} in decimal only, not {text}")
    return int(text, 10)


def _to_int(text: str, what: str) -> int:
    if "*" in text:
        raise _LineError(f"{what} may not contain '*' digits: {text}")
    try:
        return int(text, 0) if not text.isdigit() else int(text, 10)
    except ValueError:
        raise _LineError(f"bad number for {what}: {text}") from None


# ----- per-command grammar -----------------------------------------------------------------------


def _action_call(toks: _Tokens) -> ActionCall:
    name = toks.qualified_name("an action name")
    toks.expect_punct("(")
    args: list[tuple[str, str]] = []
    if not toks.at_punct(")"):
        while True:
            param = toks.name("an action parameter name")
            toks.expect_punct(":")
            args.append((param, toks.number_text(f"the value of {param}")))
            if not toks.at_punct(","):
                break
            toks.take()
    toks.expect_punct(")")
    return ActionCall(name, tuple(args))


def _key(toks: _Tokens) -> StfKey:
    name = toks.qualified_name("a key name")
    toks.expect_punct(":")
    value = toks.number_text(f"the value of key {name}")
    if toks.at_punct("/"):
        toks.take()
        return StfKey(name, value, prefix_len=toks.integer("a prefix length"))
    if toks.at_punct("&&&"):
        toks.take()
        return StfKey(name, value, mask=toks.number_text(f"the mask of key {name}"))
    return StfKey(name, value)


def _starts_key(toks: _Tokens) -> bool:
    """Whether the tokens ahead are ``qualified_name ':'`` (a key) rather than an action call."""
    offset = 0
    first = toks.peek()
    if first is None or first.kind not in ("name", "quoted"):
        return False
    offset = 1
    if first.kind == "name":
        while True:
            if toks.at_punct("[", offset):
                offset += 3
            elif toks.at_punct(".", offset):
                offset += 2
            else:
                break
    return toks.at_punct(":", offset)


def _add(line: int, toks: _Tokens) -> AddCmd:
    table = toks.qualified_name("a table name")
    priority: int | None = None
    nxt = toks.peek()
    if nxt is not None and nxt.kind == "num":
        if not nxt.text.isdigit():
            raise _LineError(f"a priority must be a decimal number, not {nxt.text}")
        priority = int(toks.take().text)
    keys: list[StfKey] = []
    while _starts_key(toks):
        keys.append(_key(toks))
    if not keys:
        raise _LineError("add needs at least one key:value")
    action = _action_call(toks)
    entry_id: str | None = None
    if toks.at_punct("="):
        toks.take()
        entry_id = toks.name("an entry id")
    return AddCmd(line, table, priority, tuple(keys), action, entry_id)


def _setdefault(line: int, toks: _Tokens) -> SetDefaultCmd:
    table = toks.qualified_name("a table name")
    return SetDefaultCmd(line, table, _action_call(toks))


def _wait(line: int, toks: _Tokens) -> WaitCmd:
    return WaitCmd(line)


_COMPARISONS: dict[str, Comparison] = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


def _check_counter(line: int, toks: _Tokens) -> CheckCounterCmd:
    counter = toks.name("a counter name")
    toks.expect_punct("(")
    tok = toks.take()
    if tok.kind not in ("name", "num"):
        raise _LineError(f"expected an index or $id, found {tok.text!r}")
    toks.expect_punct(")")
    if toks.peek() is None:
        return CheckCounterCmd(line, counter, tok.text)
    kind = toks.name("packets or bytes").lower()
    if kind not in ("packets", "bytes"):
        raise _LineError(f"expected packets or bytes, found {kind!r}")
    op_tok = toks.take()
    op = _COMPARISONS.get(op_tok.text) if op_tok.kind == "punct" else None
    if op is None:
        raise _LineError(f"expected a comparison (== != < <= > >=), found {op_tok.text!r}")
    value = toks.integer("a count")
    return CheckCounterCmd(line, counter, tok.text, "packets" if kind == "packets" else "bytes", op, value)


def _ports(toks: _Tokens) -> tuple[int, ...]:
    ports = [toks.cli_integer("a port")]
    while toks.peek() is not None:
        ports.append(toks.cli_integer("a port"))
    return tuple(ports)


def _rates(toks: _Tokens) -> tuple[tuple[float, int], ...]:
    rates: list[tuple[float, int]] = []
    while toks.peek() is not None:
        tok = toks.take()
        if tok.kind == "float":
            rate = float(tok.text)
        elif tok.kind == "num":
            rate = float(_cli_decimal(tok.text, "a rate"))
        else:
            raise _LineError(f"expected a rate, found {tok.text!r}")
        toks.expect_punct(":")
        rates.append((rate, toks.cli_integer("a burst size")))
    if not rates:
        raise _LineError("expected at least one rate:burst")
    return tuple(rates)


def _mc_mgrp_create(line: int, t: _Tokens) -> McMgrpCreateCmd:
    return McMgrpCreateCmd(line, t.cli_integer("a group id"))


def _mc_node_create(line: int, t: _Tokens) -> McNodeCreateCmd:
    return McNodeCreateCmd(line, t.cli_integer("a replication id"), _ports(t))


def _mc_node_update(line: int, t: _Tokens) -> McNodeUpdateCmd:
    return McNodeUpdateCmd(line, t.cli_integer("a node handle"), _ports(t))


def _mc_node_associate(line: int, t: _Tokens) -> McNodeAssociateCmd:
    return McNodeAssociateCmd(line, t.cli_integer("a group id"), t.cli_integer("a node handle"))


def _mirroring_add(line: int, t: _Tokens) -> MirroringAddCmd:
    return MirroringAddCmd(line, t.cli_integer("a session id"), t.cli_integer("a port"))


def _mirroring_add_mc(line: int, t: _Tokens) -> MirroringAddMcCmd:
    return MirroringAddMcCmd(line, t.cli_integer("a session id"), t.cli_integer("a group id"))


def _mirroring_delete(line: int, t: _Tokens) -> MirroringDeleteCmd:
    return MirroringDeleteCmd(line, t.cli_integer("a session id"))


def _mirroring_get(line: int, t: _Tokens) -> MirroringGetCmd:
    return MirroringGetCmd(line, t.cli_integer("a session id"))


def _counter_read(line: int, t: _Tokens) -> CounterReadCmd:
    return CounterReadCmd(line, t.qualified_name("a counter name"), t.cli_integer("an index"))


def _counter_write(line: int, t: _Tokens) -> CounterWriteCmd:
    name = t.qualified_name("a counter name")
    return CounterWriteCmd(
        line, name, t.cli_integer("an index"), t.cli_integer("a packet count"), t.cli_integer("a byte count")
    )


def _register_read(line: int, t: _Tokens) -> RegisterReadCmd:
    return RegisterReadCmd(line, t.qualified_name("a register name"), t.cli_integer("an index"))


def _register_write(line: int, t: _Tokens) -> RegisterWriteCmd:
    name = t.qualified_name("a register name")
    return RegisterWriteCmd(line, name, t.cli_integer("an index"), t.cli_integer("a value"))


def _register_reset(line: int, t: _Tokens) -> RegisterResetCmd:
    return RegisterResetCmd(line, t.qualified_name("a register name"))


def _meter_get_rates(line: int, t: _Tokens) -> MeterGetRatesCmd:
    return MeterGetRatesCmd(line, t.qualified_name("a meter name"), t.cli_integer("an index"))


def _meter_set_rates(line: int, t: _Tokens) -> MeterSetRatesCmd:
    name = t.qualified_name("a meter name")
    return MeterSetRatesCmd(line, name, t.cli_integer("an index"), _rates(t))


def _meter_array_set_rates(line: int, t: _Tokens) -> MeterArraySetRatesCmd:
    return MeterArraySetRatesCmd(line, t.qualified_name("a meter name"), _rates(t))


_HANDLERS: dict[str, Callable[[int, _Tokens], StfCommand]] = {
    "add": _add,
    "setdefault": _setdefault,
    "wait": _wait,
    "check_counter": _check_counter,
    "mc_mgrp_create": _mc_mgrp_create,
    "mc_node_create": _mc_node_create,
    "mc_node_update": _mc_node_update,
    "mc_node_associate": _mc_node_associate,
    "mirroring_add": _mirroring_add,
    "mirroring_add_mc": _mirroring_add_mc,
    "mirroring_delete": _mirroring_delete,
    "mirroring_get": _mirroring_get,
    "counter_read": _counter_read,
    "counter_write": _counter_write,
    "register_read": _register_read,
    "register_write": _register_write,
    "register_reset": _register_reset,
    "meter_get_rates": _meter_get_rates,
    "meter_set_rates": _meter_set_rates,
    "meter_array_set_rates": _meter_array_set_rates,
}
