"""Credentials, JWT tokens and the Authorization header.

Clients authenticate with `Authorization: Basic base64(username:password)` or with
`Authorization: Token <jwt>`, where the JWT comes from `POST /v1/tokens`. The scheme
word of a token is "Token", not "Bearer".
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
import hashlib
import hmac
import json
import secrets
from typing import TYPE_CHECKING

from simulator.directory import API_KEY_USER_ID, LIMITED_USER_ID, SUPERVISOR_USER_ID

if TYPE_CHECKING:
    from collections.abc import Mapping

    from simulator.config import SimulatorConfig


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes:
        user_id: Value of the token's `user-id` claim.
        limited: The caller's role lacks the realtime statistics permission.

    """

    user_id: str
    limited: bool = False


class AuthError(Exception):
    """Invalid credentials or token. The message goes into the 401 error body."""


class RequestError(Exception):
    """Malformed token request. The message goes into the 400 error body."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    """Issuer and verifier of HS256 JWTs, signed with a random per-process key."""

    def __init__(self) -> None:
        """Create an issuer with a fresh signing key."""
        self._key = secrets.token_bytes(32)

    def issue(self, user_id: str, now: float, ttl: int) -> str:
        """Return a JWT for `user_id` that expires `ttl` seconds after `now`."""
        header = {"alg": "HS256", "typ": "JWT"}
        issued_at = int(now)
        payload = {
            "user-id": user_id,
            "type": "token",
            "exp": issued_at + ttl,
            "iat": issued_at,
        }
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":")).encode())
            for part in (header, payload)
        )
        return f"{signing_input}.{_b64url(self._sign(signing_input))}"

    def verify(self, token: str, now: float) -> str:
        """Return the `user-id` of a valid, unexpired token.

        Raises:
            AuthError: The token is malformed, has a wrong signature or has expired.

        """
        parts = token.split(".")
        if len(parts) != 3:  # noqa: PLR2004 - header, payload and signature
            msg = "Invalid token: expected a JWT"
            raise AuthError(msg)
        signing_input = f"{parts[0]}.{parts[1]}"
        try:
            signature = _b64url_decode(parts[2])
            payload = json.loads(_b64url_decode(parts[1]))
        except (binascii.Error, ValueError) as error:
            msg = "Invalid token: malformed JWT"
            raise AuthError(msg) from error
        if not hmac.compare_digest(signature, self._sign(signing_input)):
            msg = "Invalid token: signature does not match"
            raise AuthError(msg)
        if not isinstance(payload, dict) or payload.get("type") != "token":
            msg = "Invalid token: not an API token"
            raise AuthError(msg)
        expires = payload.get("exp")
        if not isinstance(expires, int) or now >= expires:
            msg = "Token expired"
            raise AuthError(msg)
        user_id = payload.get("user-id")
        if not isinstance(user_id, str):
            msg = "Invalid token: missing user-id"
            raise AuthError(msg)
        return user_id

    def revoke_all(self) -> None:
        """Reject every token issued so far, by switching to a new signing key."""
        self._key = secrets.token_bytes(32)

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._key, signing_input.encode(), hashlib.sha256).digest()


def _matches(value: str, expected: str) -> bool:
    return secrets.compare_digest(value.encode(), expected.encode())


def user_principal(
    config: SimulatorConfig, username: str, password: str
) -> Principal | None:
    """Return the user with these credentials, or None."""
    if _matches(username, config.username) and _matches(password, config.password):
        return Principal(SUPERVISOR_USER_ID)
    if _matches(username, config.limited_username) and _matches(
        password, config.limited_password
    ):
        return Principal(LIMITED_USER_ID, limited=True)
    return None


def principal_for_user_id(user_id: str) -> Principal | None:
    """Return the caller that a token's `user-id` claim names, or None."""
    known = {
        SUPERVISOR_USER_ID: Principal(SUPERVISOR_USER_ID),
        LIMITED_USER_ID: Principal(LIMITED_USER_ID, limited=True),
        API_KEY_USER_ID: Principal(API_KEY_USER_ID),
    }
    return known.get(user_id)


def authenticate(
    header: str | None, config: SimulatorConfig, issuer: TokenIssuer, now: float
) -> Principal:
    """Return the caller that an Authorization header identifies.

    Basic credentials are split on the first ':' only and decoded as UTF-8. API
    keys are accepted as Basic credentials only when `config.api_key_basic` is set.

    Raises:
        AuthError: The header is missing, malformed, or its credentials are invalid.

    """
    if not header:
        msg = "Missing Authorization header"
        raise AuthError(msg)
    scheme, _, credentials = header.partition(" ")
    scheme = scheme.lower()
    credentials = credentials.strip()

    if scheme == "token":
        principal = principal_for_user_id(issuer.verify(credentials, now))
        if principal is None:
            msg = "Invalid token: unknown user"
            raise AuthError(msg)
        return principal

    if scheme == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as error:
            msg = "Invalid Basic credentials: not base64-encoded UTF-8"
            raise AuthError(msg) from error
        username, separator, password = decoded.partition(":")
        if not separator:
            msg = "Invalid Basic credentials: missing ':'"
            raise AuthError(msg)
        principal = user_principal(config, username, password)
        is_api_key = _matches(username, config.api_key) and _matches(
            password, config.api_secret
        )
        if principal is None and config.api_key_basic and is_api_key:
            principal = Principal(API_KEY_USER_ID)
        if principal is None:
            msg = "Invalid username or password"
            raise AuthError(msg)
        return principal

    msg = f"Unsupported Authorization scheme {scheme!r}; use Basic or Token"
    raise AuthError(msg)


def principal_for_token_request(
    body: object, config: SimulatorConfig
) -> tuple[Principal, int | None]:
    """Check the body of `POST /v1/tokens` and return the caller and requested ttl.

    A user sends `{"username", "password"}`. An API key sends
    `{"username": key, "password": secret, "tenantId": tenant}`. Either may add
    `ttl` in seconds.

    Raises:
        RequestError: The body is malformed (400).
        AuthError: The credentials are invalid or `tenantId` does not match (401).

    """
    if not isinstance(body, dict):
        msg = "Invalid request body: expected a JSON object"
        raise RequestError(msg)
    fields: Mapping[str, object] = body
    username = fields.get("username")
    password = fields.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        msg = "Invalid request body: username and password must be strings"
        raise RequestError(msg)
    ttl = fields.get("ttl")
    if ttl is not None and (isinstance(ttl, bool) or not isinstance(ttl, int)):
        msg = f"Invalid ttl {ttl!r}: expected whole seconds"
        raise RequestError(msg)
    if ttl is not None and ttl < 1:
        msg = f"Invalid ttl {ttl}: expected at least 1 second"
        raise RequestError(msg)

    if _matches(username, config.api_key):
        return _api_key_principal(fields, password, config), ttl
    principal = user_principal(config, username, password)
    if principal is None:
        msg = "Invalid username or password"
        raise AuthError(msg)
    return principal, ttl


def _api_key_principal(
    fields: Mapping[str, object], secret: str, config: SimulatorConfig
) -> Principal:
    if not _matches(secret, config.api_secret):
        msg = "Invalid API key or secret"
        raise AuthError(msg)
    tenant_id = fields.get("tenantId")
    if tenant_id is None:
        if config.api_key_requires_tenant:
            msg = "Missing tenantId: API key token requests must name the tenant"
            raise RequestError(msg)
        return Principal(API_KEY_USER_ID)
    if not isinstance(tenant_id, str) or tenant_id.lower() != config.tenant_id.lower():
        msg = f"API key does not belong to tenant {tenant_id!r}"
        raise AuthError(msg)
    return Principal(API_KEY_USER_ID)
