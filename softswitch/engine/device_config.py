"""The P4Runtime device config softswitch accepts: plain data, never code.

A device config is a UTF-8 JSON document::

    {"format": "softswitch-p4/1", "filename": "edge.p4", "source": "<preprocessed P4 text>"}

``source`` is the preprocessed program text (with ``#line`` markers), from which the switch
compiles the program again (:func:`softswitch.frontend.compiler.compile_text`). Anything else,
BMv2 JSON included, is refused with a :class:`ValueError` naming the format expected.
"""

from __future__ import annotations

import json

from softswitch.frontend.compiler import CompiledFrontend

FORMAT = "softswitch-p4/1"
MAX_CONFIG_BYTES = 64 * 1024 * 1024


def _refuse(why: str) -> ValueError:
    return ValueError(
        f"the device config is not a softswitch program ({why}): expected a UTF-8 JSON object "
        f'{{"format": "{FORMAT}", "filename": ..., "source": ...}} as written by "softswitch compile"'
    )


def encode_device_config(frontend: CompiledFrontend, filename: str | None = None) -> bytes:
    """The device config for a compiled program; ``filename`` defaults to the main program's path
    (not the file of the first line marker, which is the first #include)."""
    name = filename if filename is not None else frontend.filename
    doc = {"format": FORMAT, "filename": name, "source": frontend.source_text}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True).encode("utf-8")


def decode_device_config(data: bytes) -> tuple[str, str]:
    """``(filename, source)`` from a device config; :class:`ValueError` for anything else."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _refuse("not bytes")
    if len(data) > MAX_CONFIG_BYTES:
        raise _refuse(f"larger than {MAX_CONFIG_BYTES} bytes")
    if not data:
        raise _refuse("it is empty")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("not UTF-8 text") from None
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise _refuse("not JSON") from None
    if not isinstance(doc, dict):
        raise _refuse("not a JSON object")
    fmt = doc.get("format")
    if fmt != FORMAT:
        if "format" not in doc and ("pipelines" in doc or "header_types" in doc):
            raise _refuse("it looks like BMv2 JSON, which softswitch does not run")
        raise _refuse(f"format is {fmt!r}")
    filename = doc.get("filename")
    source = doc.get("source")
    if not isinstance(filename, str) or not isinstance(source, str):
        raise _refuse('"filename" and "source" must be strings')
    return filename, source
