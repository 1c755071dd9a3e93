"""The registry's errors: each names the field at fault.

A field is a path into the caller's input, such as ``("endpoint",)`` or ``("addresses", 2)``.
Three kinds, mapped by the REST layer to status codes:

- ``invalid``: a value is malformed or out of range (422);
- ``not_found``: a referenced record does not exist (404);
- ``conflict``: the value clashes with other records, e.g. an address already in use (409).

``where`` says whether the field came from the record's key (the URL path in REST), from a
filter (a query parameter) or from the record's body.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Loc = tuple[str | int, ...]
Where = Literal["body", "key", "query"]


class ErrorKind(enum.StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"


# The kind that decides a failure's status when several kinds are reported together.
_PRECEDENCE = (ErrorKind.INVALID, ErrorKind.NOT_FOUND, ErrorKind.CONFLICT)


@dataclass(frozen=True, slots=True)
class FieldError:
    loc: Loc
    message: str
    kind: ErrorKind = ErrorKind.INVALID
    where: Where = "body"

    @property
    def field(self) -> str:
        """The field path as text: ``addresses[2]``."""
        out = ""
        for part in self.loc:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.loc else self.message


class RegistryError(Exception):
    """Base of the registry's errors."""


class ValidationFailed(RegistryError):
    """One or more fields are at fault; nothing was changed."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        if not errors:
            raise ValueError("ValidationFailed needs at least one error")
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(str(e) for e in self.errors))

    @property
    def kind(self) -> ErrorKind:
        kinds = {e.kind for e in self.errors}
        return next(k for k in _PRECEDENCE if k in kinds)


class StoreError(RegistryError):
    """The storage failed (I/O, corruption, or a schema it does not understand)."""


def not_found(what: str, key: str, loc: Loc, *, where: Where = "body") -> ValidationFailed:
    return ValidationFailed([FieldError(loc, f"{what} {key!r} does not exist", ErrorKind.NOT_FOUND, where)])


def conflict(loc: Loc, message: str, *, where: Where = "body") -> ValidationFailed:
    return ValidationFailed([FieldError(loc, message, ErrorKind.CONFLICT, where)])


class Issues:
    """Collects field errors while a record is checked."""

    __slots__ = ("errors", "prefix")

    def __init__(self, prefix: Loc = ()) -> None:
        self.errors: list[FieldError] = []
        self.prefix = prefix

    def invalid(self, loc: Loc, message: str) -> None:
        self.errors.append(FieldError(self.prefix + loc, message, ErrorKind.INVALID))

    def missing(self, loc: Loc, message: str) -> None:
        self.errors.append(FieldError(self.prefix + loc, message, ErrorKind.NOT_FOUND))

    def conflict(self, loc: Loc, message: str) -> None:
        self.errors.append(FieldError(self.prefix + loc, message, ErrorKind.CONFLICT))

    def extend(self, errors: Iterable[FieldError]) -> None:
        self.errors.extend(errors)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)
