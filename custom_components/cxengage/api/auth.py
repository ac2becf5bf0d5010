# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Credentials, HTTP Basic headers and the token cache of the CxEngage API client."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
import json
import logging
import math

from .const import DEFAULT_TOKEN_TTL, TOKEN_RENEWAL_MARGIN, AuthMethod
from .exceptions import CxEngageValidationError

_LOGGER = logging.getLogger(__name__)

type TokenFetcher = Callable[[], Awaitable[tuple[str, float | None]]]
"""Coroutine function that requests a new token and returns (token, ttl in seconds)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """Login for one auth method: username and password, or API key and API secret.

    The secret is left out of the repr.

    Raises:
        CxEngageValidationError: the method is unknown, the username or secret is
            empty, or a username for HTTP Basic contains ':'.
    """

    method: AuthMethod
    username: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        """Validate the fields and convert a method given as a string."""
        try:
            method = AuthMethod(self.method)
        except ValueError as err:
            msg = (
                f"Unknown auth method {self.method!r}: expected basic, token or api_key"
            )
            raise CxEngageValidationError(msg) from err
        object.__setattr__(self, "method", method)

        if not isinstance(self.username, str) or not self.username.strip():
            msg = "The username or API key is empty"
            raise CxEngageValidationError(msg)
        if not isinstance(self.secret, str) or not self.secret:
            msg = "The password or API secret is empty"
            raise CxEngageValidationError(msg)

        # RFC 7617: the user-id of HTTP Basic ends at the first colon.
        if method is AuthMethod.BASIC and ":" in self.username:
            msg = (
                "The username contains ':', which HTTP Basic authentication cannot send"
            )
            raise CxEngageValidationError(msg)


def basic_authorization(username: str, password: str) -> str:
    """Return the Authorization header value for HTTP Basic authentication.

    The credentials are encoded as UTF-8 (RFC 7617 charset="UTF-8"), not as the
    latin-1 of aiohttp.BasicAuth, so that any password works.
    """
    encoded = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {encoded}"


def token_request_body(credentials: Credentials, tenant_id: str) -> dict[str, str]:
    """Return the JSON body of POST /v1/tokens for token or API key credentials."""
    body = {"username": credentials.username, "password": credentials.secret}
    if credentials.method is AuthMethod.API_KEY:
        body["tenantId"] = tenant_id
    return body


def jwt_expiry(token: str) -> float | None:
    """Return the `exp` claim of a JWT in seconds since the epoch, or None.

    The signature is not verified: the value only schedules the token's renewal.
    """
    parts = token.split(".")
    if len(parts) != 3:  # noqa: PLR2004 - header, payload and signature
        return None

    encoded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(encoded))
    except ValueError, RecursionError:
        return None

    expiry = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(expiry, bool) or not isinstance(expiry, int | float):
        return None
    return float(expiry) if math.isfinite(expiry) else None


@dataclass(frozen=True, slots=True)
class _Token:
    value: str = field(repr=False)
    expires_at: float
    renew_at: float


class TokenManager:
    """Cache of one token that concurrent requests share.

    A token is renewed when less than 5 minutes, or a tenth of its lifetime if that
    is shorter, remain. Concurrent callers wait for a single token request.
    """

    def __init__(self, fetch: TokenFetcher, clock: Callable[[], float]) -> None:
        """Create an empty cache. `clock` returns seconds since the epoch."""
        self._fetch = fetch
        self._clock = clock
        self._token: _Token | None = None
        self._lock = asyncio.Lock()

    def _fresh_token(self) -> str | None:
        token = self._token
        if token is None or self._clock() >= token.renew_at:
            return None
        return token.value

    async def get_token(self) -> str:
        """Return the cached token, requesting a new one if it is missing or due."""
        token = self._fresh_token()
        if token is not None:
            return token

        async with self._lock:
            token = self._fresh_token()
            if token is not None:
                return token
            return await self._request_token()

    async def renew(self, rejected: str) -> str:
        """Return a token other than `rejected`, which the server rejected with 401.

        If another request already replaced the rejected token, its replacement is
        returned without a new token request.
        """
        async with self._lock:
            if self._token is not None and self._token.value != rejected:
                return self._token.value
            self._token = None
            return await self._request_token()

    def invalidate(self) -> None:
        """Forget the cached token, so that the next request gets a new one."""
        self._token = None

    async def _request_token(self) -> str:
        value, ttl = await self._fetch()
        now = self._clock()

        lifetime = ttl
        if lifetime is None:
            expiry = jwt_expiry(value)
            lifetime = expiry - now if expiry is not None and expiry > now else None
        if lifetime is None:
            lifetime = DEFAULT_TOKEN_TTL

        margin = min(TOKEN_RENEWAL_MARGIN, lifetime / 10)
        self._token = _Token(
            value=value, expires_at=now + lifetime, renew_at=now + lifetime - margin
        )
        _LOGGER.debug("Obtained a token valid for %.0f s", lifetime)
        return value
