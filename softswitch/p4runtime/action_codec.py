"""Decoding and encoding ``p4.v1.Action`` for one P4Info action, as PI checks it.

Shared by table entries and action-profile members. :func:`bad` builds the INVALID_ARGUMENT
error used throughout the translation code.
"""

from __future__ import annotations

from finsy.proto import p4r

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.p4runtime.p4info_index import ActionInfo
from softswitch.p4runtime.wire import canonical_bytes, length_delimited, varint

__all__ = ["ActionCodec", "bad", "decode_value"]


def bad(message: str) -> EntityError:
    return EntityError(ErrorCode.INVALID_ARGUMENT, message)


def decode_value(data: bytes, width: int, what: str) -> int:
    value = int.from_bytes(data, "big")
    if value >> width:
        raise bad(f"{what}: bytestring does not fit within {width} bits")
    return value


class ActionCodec:
    """Decodes and encodes ``p4.v1.Action`` for one P4Info action."""

    __slots__ = ("encoded_id", "id", "info", "n_params", "name", "obj", "params")

    def __init__(self, info: ActionInfo, obj: object) -> None:
        self.info = info
        self.id = info.id
        self.name = info.name
        self.obj = obj
        self.params = {p.id: (p.index, p.bitwidth, p.name) for p in info.param_order}
        self.n_params = len(info.param_order)
        self.encoded_id = b"\x08" + varint(info.id)

    def decode(self, action: p4r.Action) -> tuple[tuple[int, ...], bool]:
        """The argument values in P4Info order, and whether the message was canonical."""
        params = action.params
        n = self.n_params
        if len(params) != n:
            raise bad(f"action {self.name!r} takes {n} parameter(s), got {len(params)}")
        if n == 1:  # the common case, without the loop's bookkeeping
            param = params[0]
            info = self.params.get(param.param_id)
            if info is not None:
                data = param.value
                value = int.from_bytes(data, "big")
                if not value >> info[1]:
                    return (value,), len(data) == 1 or (len(data) > 1 and data[0] != 0)
        elif not n:
            return (), True
        args = [0] * self.n_params
        seen = 0
        canonical = True
        previous = -1
        lookup = self.params.get
        for param in params:
            info = lookup(param.param_id)
            if info is None:
                raise bad(f"action {self.name!r} has no parameter with id {param.param_id}")
            index, width, name = info
            if seen >> index & 1:
                raise bad(f"action {self.name!r}: parameter {name!r} is given twice")
            seen |= 1 << index
            data = param.value
            value = int.from_bytes(data, "big")
            if value >> width:
                raise bad(f"action {self.name!r}: value of parameter {name!r} does not fit within {width} bits")
            args[index] = value
            if canonical and (index < previous or not (len(data) == 1 or (len(data) > 1 and data[0]))):
                canonical = False
            previous = index
        return tuple(args), canonical

    def encode(self, args: tuple[int, ...]) -> bytes:
        """Serialized ``p4.v1.Action``."""
        out = [self.encoded_id]
        for param, value in zip(self.info.param_order, args, strict=False):
            out.append(length_delimited(b"\x22", b"\x10" + varint(param.id) + length_delimited(b"\x1a", canonical_bytes(value))))
        return b"".join(out)
