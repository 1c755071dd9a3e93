"""Typed adapter over protobuf's untyped ``text_format`` module, for P4Info messages.

p4c writes P4Info text with the C++ TextFormat printer. Python's printer gives the same bytes
when non-ASCII text is escaped (``as_utf8=False``): fields in field-number order, map entries
sorted by key, bytes as octal escapes (``"\\001"``).
"""

from __future__ import annotations

from finsy.proto import p4i
from google.protobuf import text_format  # type: ignore[import-untyped]

__all__ = ["P4INFO_TEXT_HEADER", "p4info_from_text", "p4info_to_text"]

P4INFO_TEXT_HEADER = "# proto-file: p4/config/v1/p4info.proto\n# proto-message: p4.config.v1.P4Info\n\n"
"""The two comment lines (and blank line) p4c puts before the message."""


def p4info_to_text(info: p4i.P4Info) -> str:
    """``info`` in protobuf text format, exactly as p4c prints a message (no header)."""
    text = text_format.MessageToString(info, as_utf8=False)
    return str(text)


def p4info_from_text(text: str) -> p4i.P4Info:
    """Parse P4Info text (comment lines allowed); raises ValueError on malformed input."""
    info = p4i.P4Info()
    try:
        text_format.Parse(text, info)
    except text_format.ParseError as exc:
        raise ValueError(f"malformed P4Info text: {exc}") from exc
    return info
