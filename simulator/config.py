"""Run-time configuration of the simulator and its default credentials."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_TENANT_ID = "5b9c1f52-7d43-4e1a-9a64-2f0d8c3e6a11"
DEFAULT_USERNAME = "supervisor@example.com"
# Contains ':' and non-ASCII on purpose: Basic auth must split on the first ':' only
# and encode the credentials as UTF-8.
DEFAULT_PASSWORD = "s3cret:pässword"  # noqa: S105 - fake credential of a local simulator
DEFAULT_LIMITED_USERNAME = "viewer@example.com"
DEFAULT_LIMITED_PASSWORD = "viewer-pass"  # noqa: S105 - fake credential
DEFAULT_API_KEY = "3f6e2b9a-1c7d-4e58-b0a2-6d9f4c1e8b73"
DEFAULT_API_SECRET = "sim-api-secret-0123456789abcdef"  # noqa: S105 - fake credential
DEFAULT_TOKEN_TTL = 86400
DEFAULT_TIMEZONE = "US/Eastern"

type CatalogueCasing = Literal["camel", "kebab"]


@dataclass
class SimulatorConfig:
    """Settings of a simulated tenant.

    Every field is read again on each request, so a test can change it on a running
    simulator (for example `sim.config.batch_status = 405`).

    Attributes:
        tenant_id: The only tenant id the simulator accepts, a lowercase UUID.
        username: Email of the user with full permissions.
        password: Password of that user.
        limited_username: Email of a user whose role lacks the realtime statistics
            permission. It authenticates, then gets 403 on every tenant endpoint.
        limited_password: Password of the limited user.
        api_key: API key, which is accepted only as the username of `POST /v1/tokens`
            unless `api_key_basic` is set.
        api_secret: Secret that goes with `api_key`.
        token_ttl: Token lifetime in seconds when the token request has no `ttl`.
        latency: Seconds added before every API response.
        seed: Seed of the generated statistic values.
        catalogue_casing: Key casing of the available-statistics catalogue: "camel"
            (`userFriendlyName`) or "kebab" (`user-friendly-name`).
        numbers_as_strings: Send every number in statistic bodies as a JSON string.
        batch_status: When set, the batch endpoint returns only this status (404 or
            405), as if the server had no batch endpoint.
        timezone: IANA time zone of the tenant. It sets the daily query window and
            the midnight reset of the "today" counters.
        api_key_basic: Also accept the API key and secret as Basic credentials.
        api_key_requires_tenant: Reject an API-key token request without `tenantId`
            with 400. When false, such a request gets a token for this tenant.
        max_batch_items: Reject batch requests with more items than this with 400.
            None means no limit.
        batch_error_bodies: Give failed batch items an error body next to their
            status. When false, a failed item is only `{"status": <code>}`.

    """

    tenant_id: str = DEFAULT_TENANT_ID
    username: str = DEFAULT_USERNAME
    password: str = DEFAULT_PASSWORD
    limited_username: str = DEFAULT_LIMITED_USERNAME
    limited_password: str = DEFAULT_LIMITED_PASSWORD
    api_key: str = DEFAULT_API_KEY
    api_secret: str = DEFAULT_API_SECRET
    token_ttl: int = DEFAULT_TOKEN_TTL
    latency: float = 0.0
    seed: int = 1
    catalogue_casing: CatalogueCasing = "camel"
    numbers_as_strings: bool = False
    batch_status: int | None = None
    timezone: str = DEFAULT_TIMEZONE
    # NOTE: The reference leaves open whether API keys work directly as Basic
    # credentials and whether `tenantId` is required in an API-key token request.
    # These two settings let tests cover both cases.
    api_key_basic: bool = False
    api_key_requires_tenant: bool = True
    # NOTE: No batch size limit is documented. None models a server without one.
    max_batch_items: int | None = None
    # NOTE: Whether a failed batch item ever carries a body is not documented.
    batch_error_bodies: bool = False
