"""Shared pieces of the code generator: the source emitter, what names are bound to, and
locations in the PHV.

Generated code is plain Python source. Every generated function takes the PHV list as ``P``.
A *location* (:class:`Loc`) is a layout plus, for header-stack elements addressed at run time, a
Python expression giving the base slot; the layout's slots are then relative to that base.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from softswitch.engine.layout import Layout
from softswitch.frontend import ast
from softswitch.frontend.errors import P4Error, SourceLoc
from softswitch.frontend.instances import (
    ActionInstance,
    BlockInstance,
    ExternInstance,
    TableInstance,
    ValueSetInstance,
)
from softswitch.frontend.types import Type


def unsupported(message: str, loc: SourceLoc | None = None) -> P4Error:
    """The error the engine raises for a valid program it cannot run."""
    return P4Error(message, loc, kind="unsupported")


class Emitter:
    """Collects indented lines of Python source."""

    def __init__(self, indent: int = 0) -> None:
        self.lines: list[str] = []
        self.level = indent

    def line(self, text: str) -> None:
        self.lines.append("    " * self.level + text)

    def extend(self, other: Emitter) -> None:
        self.lines.extend(other.lines)

    def mark(self) -> int:
        return len(self.lines)

    def insert(self, mark: int, text: str) -> None:
        """Insert a line at ``mark`` (a position from :meth:`mark`) at the current indentation."""
        self.lines.insert(mark, "    " * self.level + text)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        """``header`` (ending with ``:``) followed by an indented body; an empty body gets ``pass``."""
        self.line(header)
        self.level += 1
        start = len(self.lines)
        try:
            yield
        finally:
            if len(self.lines) == start:
                self.line("pass")
            self.level -= 1

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


@dataclass(slots=True)
class Loc:
    """A place in the PHV. ``dyn`` is None for a fixed place; otherwise a Python expression for a
    base slot that the (relative) layout's slot numbers are added to."""

    layout: Layout
    dyn: str | None = None

    def slot(self, s: int) -> str:
        """Python expression for the slot ``s`` of this location's layout."""
        if self.dyn is None:
            return str(s)
        if s == 0:
            return self.dyn
        return f"{self.dyn} + {s}"

    def rng(self) -> tuple[str, str]:
        """Python expressions (start, stop) of the whole location's slot range."""
        lay = self.layout
        return self.slot(lay.base), self.slot(lay.base + lay.size)


@dataclass(slots=True)
class Storage:
    """A name bound to a place in the PHV."""

    loc: Loc


@dataclass(slots=True)
class PyValue:
    """A name bound to a read-only Python expression (an action's control-plane parameter, a
    constructor parameter's constant)."""

    expr: str
    type: Type | None = None


@dataclass(slots=True)
class PacketRef:
    """``packet_in``/``packet_out`` parameters: the generated function's cursor or output list."""

    kind: str  # "in" | "out"


ObjTarget = ExternInstance | BlockInstance | TableInstance | ActionInstance | ValueSetInstance


@dataclass(slots=True)
class ObjRef:
    obj: ObjTarget


Binding = Storage | PyValue | PacketRef | ObjRef


@dataclass(slots=True)
class Env:
    """Name bindings: declaration node → binding, with a parent chain. ``typevars`` maps type
    variables (by name) to concrete types inside a specialized generic function."""

    parent: Env | None = None
    bindings: dict[ast.Node, Binding] = field(default_factory=dict)
    typevars: dict[str, Type] = field(default_factory=dict)
    block: BlockInstance | None = None

    def lookup(self, decl: ast.Node) -> Binding | None:
        env: Env | None = self
        while env is not None:
            b = env.bindings.get(decl)
            if b is not None:
                return b
            env = env.parent
        return None

    def child(self) -> Env:
        return Env(parent=self, typevars=dict(self.typevars), block=self.block)

    def typevar(self, name: str) -> Type | None:
        return self.typevars.get(name)


@dataclass(slots=True)
class FnContext:
    """What kind of generated function the statements are going into."""

    kind: str  # "control" | "action" | "function" | "parser" | "deparser"
    env: Env
    # parser: name of the local holding the cursor, error-exit snippet
    stage: str = ""  # "ingress" | "egress" | "" (for extern restrictions and messages)
    has_packet_out: bool = False
    returns_value: bool = False
    has_payload: bool = False
