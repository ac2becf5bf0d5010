# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Tests of credentials, HTTP Basic headers, JWT expiry and the token cache."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import cast

import pytest

from custom_components.cxengage.api import (
    AuthMethod,
    Credentials,
    CxEngageAuthenticationError,
    CxEngageValidationError,
)
from custom_components.cxengage.api.auth import (
    TokenManager,
    basic_authorization,
    jwt_expiry,
    token_request_body,
)

from .conftest import FROZEN_TIME, FakeClock

TENANT = "5b9c1f52-7d43-4e1a-9a64-2f0d8c3e6a11"


def test_credentials_repr_hides_secret() -> None:
    credentials = Credentials(AuthMethod.TOKEN, "user@example.com", "hunter2:ü")

    assert "hunter2" not in repr(credentials)
    assert "hunter2" not in str(credentials)
    assert "user@example.com" in repr(credentials)


def test_credentials_method_from_string() -> None:
    credentials = Credentials("api_key", "key", "secret")  # type: ignore[arg-type]

    assert credentials.method is AuthMethod.API_KEY


@pytest.mark.parametrize(
    ("method", "username", "secret", "message"),
    [
        ("password", "user", "secret", "Unknown auth method"),
        (AuthMethod.BASIC, "", "secret", "username or API key is empty"),
        (AuthMethod.TOKEN, "  ", "secret", "username or API key is empty"),
        (AuthMethod.TOKEN, None, "secret", "username or API key is empty"),
        (AuthMethod.API_KEY, "key", "", "password or API secret is empty"),
        (AuthMethod.BASIC, "domain:user", "secret", "contains ':'"),
    ],
)
def test_credentials_rejected(
    method: object, username: object, secret: object, message: str
) -> None:
    with pytest.raises(CxEngageValidationError) as info:
        Credentials(
            cast("AuthMethod", method), cast("str", username), cast("str", secret)
        )
    assert message in str(info.value)
    assert "secret" not in str(info.value) or "API secret" in str(info.value)


def test_basic_authorization_is_utf8() -> None:
    header = basic_authorization("supervisor@example.com", "s3cret:pässword")

    scheme, _, encoded = header.partition(" ")
    assert scheme == "Basic"
    assert (
        base64.b64decode(encoded).decode() == "supervisor@example.com:s3cret:pässword"
    )


def test_token_request_bodies() -> None:
    user = Credentials(AuthMethod.TOKEN, "user@example.com", "pw")
    key = Credentials(AuthMethod.API_KEY, "key", "secret")

    assert token_request_body(user, TENANT) == {
        "username": "user@example.com",
        "password": "pw",
    }
    assert token_request_body(key, TENANT) == {
        "username": "key",
        "password": "secret",
        "tenantId": TENANT,
    }


def _jwt(claims: object) -> str:
    def encode(part: object) -> str:
        raw = json.dumps(part).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{encode({'alg': 'HS256'})}.{encode(claims)}.c2ln"


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        (_jwt({"exp": 1_700_000_000, "iat": 1_699_913_600}), 1_700_000_000.0),
        (_jwt({"exp": 1_700_000_000.5}), 1_700_000_000.5),
        (_jwt({"iat": 1}), None),
        (_jwt({"exp": "1700000000"}), None),
        (_jwt({"exp": True}), None),
        (_jwt([1, 2]), None),
        ("abc.def.ghi", None),
        ("abc", None),
        ("a.b", None),
        ("a.!!!.c", None),
        ("", None),
    ],
)
def test_jwt_expiry(token: str, expected: float | None) -> None:
    assert jwt_expiry(token) == expected


class FakeTokenEndpoint:
    """Token fetcher that counts calls and returns numbered tokens."""

    def __init__(
        self, ttl: float | None = 86_400.0, *, token: str | None = None
    ) -> None:
        """Return `token` (or "token-<n>") with `ttl` from every call."""
        self.ttl = ttl
        self.token = token
        self.calls = 0
        self.error: Exception | None = None

    async def __call__(self) -> tuple[str, float | None]:
        """Simulate one token request."""
        self.calls += 1
        await asyncio.sleep(0)
        if self.error is not None:
            raise self.error
        return self.token or f"token-{self.calls}", self.ttl


async def test_token_manager_shares_one_request() -> None:
    endpoint = FakeTokenEndpoint()
    manager = TokenManager(endpoint, FakeClock())

    tokens = await asyncio.gather(*(manager.get_token() for _ in range(20)))

    assert set(tokens) == {"token-1"}
    assert endpoint.calls == 1


@pytest.mark.parametrize(
    ("ttl", "renew_after"),
    [
        (86_400.0, 86_400 - 300),
        (3_600.0, 3_600 - 300),
        (1_000.0, 900),
        (100.0, 90),
    ],
)
async def test_token_manager_renewal_margin(ttl: float, renew_after: float) -> None:
    endpoint = FakeTokenEndpoint(ttl)
    clock = FakeClock()
    manager = TokenManager(endpoint, clock)
    await manager.get_token()

    clock.now = FROZEN_TIME + renew_after - 0.5
    assert await manager.get_token() == "token-1"

    clock.now = FROZEN_TIME + renew_after
    assert await manager.get_token() == "token-2"
    assert endpoint.calls == 2


async def test_token_manager_uses_jwt_expiry() -> None:
    token = _jwt({"exp": FROZEN_TIME + 1_000})
    endpoint = FakeTokenEndpoint(None, token=token)
    clock = FakeClock()
    manager = TokenManager(endpoint, clock)
    await manager.get_token()

    clock.now = FROZEN_TIME + 899
    await manager.get_token()
    assert endpoint.calls == 1

    clock.now = FROZEN_TIME + 900
    await manager.get_token()
    assert endpoint.calls == 2


@pytest.mark.parametrize(
    "token", ["opaque-token", _jwt({"exp": FROZEN_TIME - 10}), _jwt({"iat": 1})]
)
async def test_token_manager_default_lifetime(token: str) -> None:
    endpoint = FakeTokenEndpoint(None, token=token)
    clock = FakeClock()
    manager = TokenManager(endpoint, clock)
    await manager.get_token()

    clock.now = FROZEN_TIME + 86_400 - 301
    await manager.get_token()
    assert endpoint.calls == 1

    clock.now = FROZEN_TIME + 86_400 - 300
    await manager.get_token()
    assert endpoint.calls == 2


async def test_token_manager_renew_once_for_concurrent_401s() -> None:
    endpoint = FakeTokenEndpoint()
    manager = TokenManager(endpoint, FakeClock())
    rejected = await manager.get_token()

    renewed = await asyncio.gather(*(manager.renew(rejected) for _ in range(5)))

    assert set(renewed) == {"token-2"}
    assert endpoint.calls == 2


async def test_token_manager_fetch_error_is_not_cached() -> None:
    endpoint = FakeTokenEndpoint()
    manager = TokenManager(endpoint, FakeClock())
    endpoint.error = CxEngageAuthenticationError("POST /v1/tokens rejected (HTTP 401)")

    with pytest.raises(CxEngageAuthenticationError):
        await manager.get_token()

    endpoint.error = None
    assert await manager.get_token() == "token-2"


async def test_token_manager_invalidate() -> None:
    endpoint = FakeTokenEndpoint()
    manager = TokenManager(endpoint, FakeClock())
    await manager.get_token()

    manager.invalidate()

    assert await manager.get_token() == "token-2"


async def test_token_value_not_in_repr() -> None:
    manager = TokenManager(FakeTokenEndpoint(), FakeClock())

    await manager.get_token()

    assert "token-1" not in repr(manager._token)
