"""A small synchronous client of the controller's REST API (used by the ``p4edge`` CLI).

Every failure becomes an ``ApiError`` whose message is one line: the API's field errors as
``field: message`` joined by ``;``, with the HTTP status, or why the controller was unreachable.
"""

from __future__ import annotations

from typing import Any

import httpx


class ApiError(Exception):
    """A request failed; ``status`` is the HTTP status (0 when no answer came)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


def _field(loc: list[Any]) -> str:
    parts = [p for p in loc if p not in ("body", "path", "query")]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def describe(response: httpx.Response) -> str:
    """One line for an error response."""
    try:
        body = response.json()
        detail: Any = body.get("detail") if isinstance(body, dict) else None
    except ValueError:
        detail = None
    if isinstance(detail, list):
        parts = []
        for item in detail:
            field = _field(list(item.get("loc", [])))
            parts.append(f"{field}: {item.get('msg')}" if field else str(item.get("msg")))
        text = "; ".join(parts)
    elif detail is not None:
        text = str(detail)
    else:
        text = (
            response.text.strip().splitlines()[0][:200] if response.text.strip() else response.reason_phrase
        )
    if response.status_code == 401:
        text += " (pass --token or set P4EDGE_TOKEN)"
    return f"{text} [HTTP {response.status_code}]"


class ApiClient:
    def __init__(self, url: str, token: str | None, *, timeout: float = 60.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON answer (None for 204); ``ApiError`` for any failure."""
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.ConnectError as e:
            raise ApiError(f"cannot reach the controller at {self.url}: {e}") from e
        except httpx.TimeoutException as e:
            raise ApiError(f"the controller at {self.url} did not answer in time") from e
        except httpx.HTTPError as e:
            raise ApiError(f"request to {self.url} failed: {e}") from e
        if response.status_code >= 400:
            raise ApiError(describe(response), response.status_code)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as e:
            raise ApiError(f"the controller at {self.url} sent something other than JSON") from e
