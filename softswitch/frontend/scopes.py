"""Name scopes of the type checker and the state shared by all checking passes.

P4-16 has one namespace for types and values at each level. Scopes nest: the program (top level),
a parser/control/extern/function/action, a parser state, a block statement. Extern functions,
functions and extern methods may be overloaded (same name, different parameters): a scope maps
each name to the list of its declarations. Type parameters of generic declarations live in the
scope of that declaration as type variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from . import ast
from .errors import P4Error, SourceLoc
from .types import Type

# The BMv2 error codes of the errors declared by core.p4 (user errors follow from 7).
STANDARD_ERROR_CODES: dict[str, int] = {
    "NoError": 0,
    "PacketTooShort": 1,
    "NoMatch": 2,
    "StackOutOfBounds": 3,
    "HeaderTooShort": 4,
    "ParserTimeout": 5,
    "ParserInvalidArgument": 6,
}

_OVERLOADABLE = (ast.ExternFunctionDecl, ast.FunctionDecl, ast.MethodDecl)

ScopeKind = Literal["top", "extern", "parser", "control", "state", "action", "function", "block", "package"]


class Scope:
    """One level of names. ``names`` maps a name to its declarations (several for overloads)."""

    __slots__ = ("kind", "names", "parent", "type_vars")

    def __init__(self, parent: Scope | None, kind: ScopeKind) -> None:
        self.parent = parent
        self.kind: ScopeKind = kind
        self.names: dict[str, list[ast.Node]] = {}
        self.type_vars: dict[str, Type] = {}

    def child(self, kind: ScopeKind) -> Scope:
        return Scope(self, kind)

    def declare(self, name: str, node: ast.Node, loc: SourceLoc) -> None:
        """Add ``node`` under ``name``; a second declaration of a name at the same level is an
        error unless both are overloadable (functions, extern functions, methods)."""
        existing = self.names.get(name)
        if existing is None:
            if name in self.type_vars:
                raise P4Error(f"'{name}' is already declared as a type parameter", loc)
            self.names[name] = [node]
            return
        if isinstance(node, _OVERLOADABLE) and all(isinstance(n, _OVERLOADABLE) for n in existing):
            existing.append(node)
            return
        raise P4Error(f"duplicate declaration of '{name}'", loc)

    def declare_type_var(self, name: str, t: Type, loc: SourceLoc) -> None:
        if name in self.type_vars or name in self.names:
            raise P4Error(f"duplicate type parameter '{name}'", loc)
        self.type_vars[name] = t

    def lookup(self, name: str) -> list[ast.Node] | Type | None:
        """The declarations of ``name`` in the nearest scope that has it, or its type when it is a
        type variable; None when undeclared."""
        s: Scope | None = self
        while s is not None:
            found = s.names.get(name)
            if found is not None:
                return found
            tv = s.type_vars.get(name)
            if tv is not None:
                return tv
            s = s.parent
        return None

    def lookup_levels(self, name: str) -> list[list[ast.Node] | Type]:
        """Every declaration of ``name`` visible from here, nearest scope first."""
        out: list[list[ast.Node] | Type] = []
        s: Scope | None = self
        while s is not None:
            found = s.names.get(name)
            if found is not None:
                out.append(found)
            elif name in s.type_vars:
                out.append(s.type_vars[name])
            s = s.parent
        return out

    def root(self) -> Scope:
        s = self
        while s.parent is not None:
            s = s.parent
        return s

    def enclosing(self, *kinds: ScopeKind) -> Scope | None:
        s: Scope | None = self
        while s is not None:
            if s.kind in kinds:
                return s
            s = s.parent
        return None


@dataclass(slots=True)
class Env:
    """State shared by the whole check of one program."""

    root: Scope
    errors: dict[str, int] = field(default_factory=lambda: dict(STANDARD_ERROR_CODES))
    error_decl_order: list[str] = field(default_factory=list)
    match_kinds: set[str] = field(default_factory=set)
    type_cache: dict[int, Type] = field(default_factory=dict)
    resolving: set[int] = field(default_factory=set)
    next_error_code: int = 7

    def add_error(self, name: str, loc: SourceLoc) -> None:
        if name in self.error_decl_order:
            raise P4Error(f"duplicate error member '{name}'", loc)
        self.error_decl_order.append(name)
        if name not in self.errors:
            self.errors[name] = self.next_error_code
            self.next_error_code += 1


@dataclass(slots=True)
class Cx:
    """Where an expression or statement is being checked: the scope, and what encloses it."""

    env: Env
    scope: Scope
    in_parser: bool = False
    in_action: bool = False
    in_function: bool = False
    return_type: Type | None = None
    in_loop: bool = False  # inside the body of a for loop (break/continue allowed)

    def child(self, kind: ScopeKind) -> Cx:
        return Cx(
            self.env,
            self.scope.child(kind),
            self.in_parser,
            self.in_action,
            self.in_function,
            self.return_type,
            self.in_loop,
        )
