"""Bearer-token authentication with two roles.

Tokens and their roles come from the config. ``read-only`` tokens may call every GET;
``operator`` tokens may call everything. A request without a usable token gets 401 with
``WWW-Authenticate: Bearer``; a read-only token on a write gets 403.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from typing import Annotated

from fastapi import HTTPException, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from controlplane.config import Role, TokenConfig

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="A token from the controller's config file, with role read-only or operator.",
)

Credentials = Annotated[HTTPAuthorizationCredentials | None, Security(bearer)]


class TokenAuth:
    """Checks bearer tokens against the configured ones."""

    def __init__(self, tokens: Sequence[TokenConfig]) -> None:
        self._tokens = tuple(tokens)
        self.reader = self.requirement(Role.READ_ONLY)
        self.operator = self.requirement(Role.OPERATOR)

    def identify(self, presented: str) -> TokenConfig | None:
        """The configured token equal to ``presented`` (compared in constant time), or None."""
        found = None
        given = presented.encode()
        for token in self._tokens:
            if hmac.compare_digest(token.token.encode(), given):
                found = token
        return found

    def requirement(self, role: Role) -> Callable[[Credentials], TokenConfig]:
        """A FastAPI dependency admitting tokens with ``role`` (operator covers read-only)."""

        def check(credentials: Credentials) -> TokenConfig:
            if credentials is None or not credentials.credentials:
                raise HTTPException(
                    status.HTTP_401_UNAUTHORIZED,
                    "missing bearer token: send 'Authorization: Bearer TOKEN'",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            token = self.identify(credentials.credentials)
            if token is None:
                raise HTTPException(
                    status.HTTP_401_UNAUTHORIZED,
                    "invalid bearer token",
                    headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            if role is Role.OPERATOR and token.role is not Role.OPERATOR:
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    f"token {token.name!r} is read-only; this request needs an operator token",
                )
            return token

        return check
