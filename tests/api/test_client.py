# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Tests of CxEngageClient against the simulator over real loopback sockets."""

from __future__ import annotations

import asyncio
import base64
from email.utils import formatdate
import logging
import socket
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
import pytest

from custom_components.cxengage.api import (
    AuthMethod,
    CountResult,
    Credentials,
    CxEngageAuthenticationError,
    CxEngageClient,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    CxEngageTenantNotFoundError,
    CxEngageValidationError,
    InvalidBaseUrlError,
    InvalidStatisticError,
    InvalidTenantIdError,
    ItemError,
    ListResult,
    PercentageResult,
    StatisticQuery,
    TimeResult,
)
from custom_components.cxengage.api.client import _classify_status
from simulator import (
    AGENT_IDS,
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_LIMITED_PASSWORD,
    DEFAULT_LIMITED_USERNAME,
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
    QUEUE_IDS,
    STATISTICS,
    Fault,
    Kind,
    Simulator,
)

from .conftest import CREDENTIALS, FROZEN_TIME, FakeClock

if TYPE_CHECKING:
    from .conftest import ClientFactory

SALES = QUEUE_IDS["Sales"]
SUPPORT = QUEUE_IDS["Support"]
ALICE = AGENT_IDS["Alice Martin"]
OTHER_TENANT = "00000000-0000-4000-8000-000000000000"
TOKEN_METHODS = [AuthMethod.TOKEN, AuthMethod.API_KEY]
ALL_METHODS = [AuthMethod.BASIC, AuthMethod.TOKEN, AuthMethod.API_KEY]

QUEUE_LENGTH = StatisticQuery.create("queue-length", queue_id=SALES)
QUEUE_TIME = StatisticQuery.create("queue-time", queue_id=SUPPORT)
SERVICE_LEVEL = StatisticQuery("service-level")
QUEUE_LIST = StatisticQuery.create("interactions-in-queue-list", queue_id=SALES)
AGENTS_IDLE = StatisticQuery("resources-idle-count")
UNKNOWN = StatisticQuery("no-such-statistic")
# The simulator rejects a filter that the statistic does not list with 400.
UNSUPPORTED_FILTER = StatisticQuery.create("resources-logged-in-count", queue_id=SALES)

MIXED_QUERIES = [
    QUEUE_LENGTH,
    QUEUE_TIME,
    SERVICE_LEVEL,
    QUEUE_LIST,
    AGENTS_IDLE,
    UNKNOWN,
    UNSUPPORTED_FILTER,
]


def _unused_port() -> int:
    """Return a loopback port that nothing listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _many_queries(count: int) -> list[StatisticQuery]:
    """Return `count` distinct queries, valid ones first, then unknown statistics."""
    queries: list[StatisticQuery] = []
    for statistic in STATISTICS.values():
        queries.append(StatisticQuery(statistic.name))
        if "queue-id" in statistic.filters:
            queries.extend(
                StatisticQuery.create(statistic.name, queue_id=queue)
                for queue in QUEUE_IDS.values()
            )
        if "resource-id" in statistic.filters:
            queries.extend(
                StatisticQuery.create(statistic.name, resource_id=agent)
                for agent in AGENT_IDS.values()
            )
    queries.extend(
        StatisticQuery(f"unknown-statistic-{index}") for index in range(count)
    )
    return queries[:count]


# Authentication.


@pytest.mark.parametrize("method", ALL_METHODS)
async def test_auth_methods_fetch_catalogue(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    client = make_client(method)

    catalogue = await client.get_available_statistics()

    assert catalogue["queue-length"].label == "Queue Length"
    assert catalogue["queue-length"].optional_filters == ("queue-id",)
    assert len(catalogue) == len(STATISTICS)
    expected_scheme = "basic" if method is AuthMethod.BASIC else "token"
    assert sim.requests[-1].auth_scheme == expected_scheme
    assert sim.requests[-1].endpoint == "available"
    assert sim.requests[-1].query == {}


async def test_basic_auth_sends_utf8_credentials(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(request.headers["Authorization"])
        return web.json_response({})

    app = web.Application()
    app.router.add_get(
        f"/v1/tenants/{DEFAULT_TENANT_ID}/realtime-statistics/available", handler
    )
    async with _serve(app) as base_url:
        client = CxEngageClient(
            session,
            base_url=base_url,
            tenant_id=DEFAULT_TENANT_ID,
            credentials=CREDENTIALS[AuthMethod.BASIC],
        )
        await client.get_available_statistics()

    scheme, _, encoded = seen[0].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode("utf-8") == (
        f"{DEFAULT_USERNAME}:{DEFAULT_PASSWORD}"
    )
    assert ":" in DEFAULT_PASSWORD
    assert not DEFAULT_PASSWORD.isascii()
    assert sim.request_counts["total"] == 0


@pytest.mark.parametrize("method", TOKEN_METHODS)
async def test_token_is_reused(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    client = make_client(method)

    await client.get_available_statistics()
    await asyncio.gather(*(client.get_statistic(QUEUE_LENGTH) for _ in range(10)))
    await client.get_statistics(MIXED_QUERIES)

    assert sim.request_counts["tokens"] == 1
    assert client.counters.token_requests == 1
    assert sim.request_counts["statistic"] == 10
    assert all(
        record.auth_scheme == "token"
        for record in sim.requests
        if record.endpoint != "tokens"
    )


@pytest.mark.parametrize("method", TOKEN_METHODS)
async def test_token_renewed_before_expiry(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    clock = FakeClock()
    client = make_client(method, clock=clock)
    await client.get_statistic(QUEUE_LENGTH)

    # The simulator's tokens live 86400 s, so renewal starts 300 s before expiry.
    clock.now += 86_400 - 301
    await client.get_statistic(QUEUE_LENGTH)
    assert sim.request_counts["tokens"] == 1

    clock.now += 2
    await client.get_statistic(QUEUE_LENGTH)
    assert sim.request_counts["tokens"] == 2

    await client.get_statistic(QUEUE_LENGTH)
    assert sim.request_counts["tokens"] == 2
    assert sim.request_counts["statistic"] == 4


async def test_token_short_ttl_renews_at_ten_percent(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    async def token_handler(_request: web.Request) -> web.Response:
        issued.append(1)
        return web.json_response({"token": f"token-{len(issued)}", "ttl": 100})

    async def available_handler(request: web.Request) -> web.Response:
        seen.append(request.headers["Authorization"])
        return web.json_response({})

    issued: list[int] = []
    seen: list[str] = []
    app = web.Application()
    app.router.add_post("/v1/tokens", token_handler)
    app.router.add_get(
        f"/v1/tenants/{DEFAULT_TENANT_ID}/realtime-statistics/available",
        available_handler,
    )
    clock = FakeClock()
    async with _serve(app) as base_url:
        client = CxEngageClient(
            session,
            base_url=base_url,
            tenant_id=DEFAULT_TENANT_ID,
            credentials=CREDENTIALS[AuthMethod.TOKEN],
            clock=clock,
        )
        await client.get_available_statistics()
        clock.now += 89
        await client.get_available_statistics()
        clock.now += 2
        await client.get_available_statistics()

    assert seen == ["Token token-1", "Token token-1", "Token token-2"]
    assert sim.request_counts["total"] == 0


@pytest.mark.parametrize("method", TOKEN_METHODS)
async def test_token_renewed_once_on_401(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    client = make_client(method)
    await client.get_statistic(QUEUE_LENGTH)

    sim.expire_tokens()
    results = await asyncio.gather(
        client.get_statistic(QUEUE_LENGTH), client.get_statistic(QUEUE_TIME)
    )

    assert isinstance(results[0], CountResult)
    assert isinstance(results[1], TimeResult)
    assert sim.request_counts["tokens"] == 2
    assert sim.request_counts["statistic"] == 5


@pytest.mark.parametrize("method", TOKEN_METHODS)
async def test_401_after_renewal_is_auth_error(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    client = make_client(method)
    await client.get_statistic(QUEUE_LENGTH)
    sim.add_fault(Fault(endpoint="statistic", status=401, times=2))

    with pytest.raises(CxEngageAuthenticationError, match="newly issued token"):
        await client.get_statistic(QUEUE_LENGTH)

    assert sim.request_counts["tokens"] == 2
    assert sim.request_counts["statistic"] == 3


async def test_basic_401_is_auth_error(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client(AuthMethod.BASIC)
    sim.add_fault(Fault(endpoint="batch", status=401, times=1))

    with pytest.raises(CxEngageAuthenticationError, match="HTTP 401") as info:
        await client.get_statistics([QUEUE_LENGTH])

    assert info.value.status == 401
    assert sim.request_counts["batch"] == 1


@pytest.mark.parametrize(
    ("method", "username", "secret"),
    [
        (AuthMethod.BASIC, DEFAULT_USERNAME, "wrong-password"),
        (AuthMethod.TOKEN, DEFAULT_USERNAME, "wrong-password"),
        (AuthMethod.TOKEN, "nobody@example.com", DEFAULT_PASSWORD),
        (AuthMethod.API_KEY, DEFAULT_API_KEY, "wrong-secret"),
        (AuthMethod.API_KEY, "wrong-key", DEFAULT_API_SECRET),
    ],
)
async def test_wrong_credentials_are_auth_error(
    sim: Simulator,
    make_client: ClientFactory,
    method: AuthMethod,
    username: str,
    secret: str,
) -> None:
    client = make_client(credentials=Credentials(method, username, secret))

    with pytest.raises(CxEngageAuthenticationError, match="HTTP 401") as info:
        await client.get_available_statistics()

    assert secret not in str(info.value)
    assert sim.request_counts["available"] == (1 if method is AuthMethod.BASIC else 0)


async def test_api_key_for_other_tenant_is_auth_error(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client(AuthMethod.API_KEY, tenant_id=OTHER_TENANT)

    with pytest.raises(CxEngageAuthenticationError, match="/v1/tokens"):
        await client.get_available_statistics()

    assert sim.requests[0].endpoint == "tokens"


@pytest.mark.parametrize("method", [AuthMethod.BASIC, AuthMethod.TOKEN])
async def test_limited_user_is_forbidden(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    credentials = Credentials(
        method, DEFAULT_LIMITED_USERNAME, DEFAULT_LIMITED_PASSWORD
    )
    client = make_client(credentials=credentials)

    with pytest.raises(CxEngageForbiddenError, match="HTTP 403"):
        await client.get_available_statistics()
    with pytest.raises(CxEngageForbiddenError):
        await client.get_statistics([QUEUE_LENGTH])
    with pytest.raises(CxEngageForbiddenError):
        await client.get_queues()

    assert sim.request_counts["available"] == 1


@pytest.mark.parametrize("method", [AuthMethod.BASIC, AuthMethod.TOKEN])
async def test_unknown_tenant_is_not_found(
    sim: Simulator, make_client: ClientFactory, method: AuthMethod
) -> None:
    client = make_client(method, tenant_id=OTHER_TENANT)

    with pytest.raises(CxEngageTenantNotFoundError, match=OTHER_TENANT):
        await client.get_available_statistics()
    with pytest.raises(CxEngageTenantNotFoundError):
        await client.get_queues()
    with pytest.raises(CxEngageTenantNotFoundError):
        await client.get_users()

    assert sim.request_counts["available"] == 1


# Settings.


async def test_client_normalises_settings(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client(
        base_url=f" {sim.base_url.upper().replace('HTTP', 'http')}/v1/ ",
        tenant_id=f"{{{DEFAULT_TENANT_ID.upper()}}}",
    )

    assert client.base_url == sim.base_url
    assert client.tenant_id == DEFAULT_TENANT_ID
    assert client.batch_supported is None
    assert isinstance(await client.get_statistic(QUEUE_LENGTH), CountResult)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"base_url": "http://api.cxengage.net"}, InvalidBaseUrlError),
        ({"base_url": "https://api.cxengage.net/?x"}, InvalidBaseUrlError),
        ({"tenant_id": "../other"}, InvalidTenantIdError),
        ({"credentials": ("basic", "user", "pw")}, CxEngageValidationError),
        ({"request_timeout": 0}, CxEngageValidationError),
        ({"request_timeout": float("nan")}, CxEngageValidationError),
        ({"batch_chunk_size": 0}, CxEngageValidationError),
        ({"max_concurrent_requests": 0}, CxEngageValidationError),
        ({"max_concurrent_requests": True}, CxEngageValidationError),
        ({"max_response_bytes": 1.5}, CxEngageValidationError),
    ],
)
async def test_client_rejects_settings(
    sim: Simulator,
    make_client: ClientFactory,
    overrides: dict[str, object],
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        make_client(**overrides)

    assert sim.request_counts["total"] == 0


# Single statistics.


async def test_get_statistic_kinds(sim: Simulator, make_client: ClientFactory) -> None:
    client = make_client()

    count = await client.get_statistic(QUEUE_LENGTH)
    time_result = await client.get_statistic(QUEUE_TIME)
    percentage = await client.get_statistic(SERVICE_LEVEL)
    rows = await client.get_statistic(QUEUE_LIST)

    assert isinstance(count, CountResult)
    assert count.count is not None
    assert isinstance(time_result, TimeResult)
    assert time_result.avg is not None
    assert isinstance(percentage, PercentageResult)
    assert percentage.percent is not None
    assert 0 <= percentage.percent <= 100
    assert isinstance(rows, ListResult)
    assert rows.key == "interactions"
    assert sim.requests[0].query == {"queue-id": SALES}
    assert sim.requests[0].path.endswith("/realtime-statistics/queue-length")


async def test_get_statistic_unknown_is_invalid_statistic(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client()

    with pytest.raises(InvalidStatisticError, match="HTTP 404") as info:
        await client.get_statistic(UNKNOWN)

    assert info.value.status == 404
    assert sim.request_counts["statistic"] == 1


async def test_get_statistic_bad_filter_is_error(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client()

    with pytest.raises(CxEngageError, match="HTTP 400") as info:
        await client.get_statistic(UNSUPPORTED_FILTER)

    assert info.value.status == 400
    assert type(info.value) is CxEngageError
    assert sim.request_counts["statistic"] == 1


async def test_get_statistic_rejects_non_query(make_client: ClientFactory) -> None:
    client = make_client()

    with pytest.raises(TypeError, match="StatisticQuery"):
        await client.get_statistic("queue-length")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="StatisticQuery"):
        await client.get_statistics(["queue-length"])  # type: ignore[list-item]


# Batches.


async def test_batch_mixed_item_statuses(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client()
    sim.fail_batch_item("service-level", 503)
    sim.fail_batch_item("resources-idle-count", None)

    results = await client.get_statistics(MIXED_QUERIES)

    assert list(results) == MIXED_QUERIES
    assert isinstance(results[QUEUE_LENGTH], CountResult)
    assert isinstance(results[QUEUE_TIME], TimeResult)
    assert isinstance(results[QUEUE_LIST], ListResult)
    assert results[SERVICE_LEVEL] == ItemError(503, "service_unavailable")
    assert results[AGENTS_IDLE] == ItemError(None, "missing")
    assert results[UNKNOWN] == ItemError(404, "not_found")
    assert results[UNSUPPORTED_FILTER] == ItemError(400, "bad_request")
    assert sim.request_counts["batch"] == 1
    assert client.batch_supported is True


async def test_batch_item_error_bodies(
    sim: Simulator, make_client: ClientFactory
) -> None:
    sim.config.batch_error_bodies = True
    client = make_client()

    results = await client.get_statistics([QUEUE_LENGTH, UNKNOWN])

    assert isinstance(results[QUEUE_LENGTH], CountResult)
    assert results[UNKNOWN] == ItemError(404, "not_found")


async def test_batch_item_with_bad_body(
    sim: Simulator, make_client: ClientFactory
) -> None:
    body = '{"results": {"0": {"status": 200, "body": {"oops": 1}}, "1": 7}}'
    sim.add_fault(Fault(endpoint="batch", status=200, body=body, times=1))
    client = make_client()

    results = await client.get_statistics([QUEUE_LENGTH, QUEUE_TIME])

    assert results[QUEUE_LENGTH] == ItemError(200, "invalid_response")
    assert results[QUEUE_TIME] == ItemError(None, "invalid_response")


async def test_batch_empty_input_sends_nothing(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client(AuthMethod.TOKEN)

    assert await client.get_statistics([]) == {}
    assert await client.get_statistics(iter(())) == {}

    assert sim.request_counts["total"] == 0


async def test_batch_sends_duplicates_once(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client()
    same_queue = StatisticQuery("queue-length", (("queueId", SALES.upper()),))

    results = await client.get_statistics([QUEUE_LENGTH, same_queue, QUEUE_LENGTH])

    assert list(results) == [QUEUE_LENGTH]
    assert sim.requests[-1].batch_size == 1


async def test_batch_is_chunked(sim: Simulator, make_client: ClientFactory) -> None:
    client = make_client(batch_chunk_size=50)
    queries = _many_queries(120)

    results = await client.get_statistics(queries)

    assert list(results) == queries
    assert sim.request_counts["batch"] == 3
    assert sorted(record.batch_size or 0 for record in sim.requests) == [20, 50, 50]
    assert results[queries[-1]] == ItemError(404, "not_found")
    assert isinstance(results[queries[0]], CountResult | TimeResult | PercentageResult)
    unknown = [query for query in queries if query.statistic not in STATISTICS]
    assert unknown
    for query, result in results.items():
        assert isinstance(result, ItemError) == (query in unknown), query.key


@pytest.mark.parametrize("status", [404, 405])
async def test_batch_fallback_matches_batch(
    sim: Simulator,
    make_client: ClientFactory,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    queries = [*MIXED_QUERIES, *_many_queries(12)]
    batch_results = await make_client().get_statistics(queries)

    sim.config.batch_status = status
    sim.reset_counters()
    caplog.set_level(logging.INFO)
    client = make_client(batch_chunk_size=5, max_concurrent_requests=3)
    fallback_results = await client.get_statistics(queries)

    assert fallback_results == batch_results
    assert client.batch_supported is False
    assert sim.request_counts["batch"] == 1
    assert sim.request_counts["statistic"] == len(set(queries))
    assert fallback_results[UNKNOWN] == ItemError(404, "not_found")
    assert fallback_results[UNSUPPORTED_FILTER] == ItemError(400, "bad_request")

    await client.get_statistics(queries)
    assert sim.request_counts["batch"] == 1
    info_records = [
        record for record in caplog.records if record.levelno == logging.INFO
    ]
    assert len(info_records) == 1
    assert f"HTTP {status}" in info_records[0].getMessage()


async def test_batch_fallback_propagates_errors(
    sim: Simulator, make_client: ClientFactory
) -> None:
    sim.config.batch_status = 405
    client = make_client()
    sim.add_fault(Fault(endpoint="statistic", status=429, times=1))

    with pytest.raises(CxEngageRateLimitError):
        await client.get_statistics([QUEUE_LENGTH, QUEUE_TIME])

    sim.add_fault(Fault(endpoint="statistic", status=503, times=1))
    with pytest.raises(CxEngageConnectionError):
        await client.get_statistics([QUEUE_LENGTH])

    sim.add_fault(Fault(endpoint="statistic", status=200, body="[]", times=1))
    results = await client.get_statistics([QUEUE_LENGTH])
    assert results[QUEUE_LENGTH] == ItemError(200, "invalid_response")


async def test_batch_error_statuses(sim: Simulator, make_client: ClientFactory) -> None:
    client = make_client()

    sim.add_fault(Fault(endpoint="batch", status=400, times=1))
    with pytest.raises(CxEngageError, match="HTTP 400") as info:
        await client.get_statistics([QUEUE_LENGTH])
    assert type(info.value) is CxEngageError

    sim.add_fault(Fault(endpoint="batch", status=200, body='{"results": []}', times=1))
    with pytest.raises(CxEngageInvalidResponseError, match="batch"):
        await client.get_statistics([QUEUE_LENGTH])

    assert client.batch_supported is True


async def test_chunk_failure_raises_after_all_chunks(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client(batch_chunk_size=2)
    await client.get_statistics([QUEUE_LENGTH])
    sim.reset_counters()
    sim.add_fault(Fault(endpoint="batch", status=502, body="<html>", times=1))

    with pytest.raises(CxEngageConnectionError, match="HTTP 502"):
        await client.get_statistics(MIXED_QUERIES)

    assert sim.request_counts["batch"] == 4


# Error statuses and broken responses.


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "5"}, 5.0),
        ({"Retry-After": formatdate(FROZEN_TIME + 30, usegmt=True)}, 30.0),
        ({"Retry-After": formatdate(FROZEN_TIME - 30, usegmt=True)}, 0.0),
        ({"Retry-After": "later"}, None),
        ({}, None),
    ],
)
async def test_rate_limit(
    sim: Simulator,
    make_client: ClientFactory,
    headers: dict[str, str],
    expected: float | None,
) -> None:
    sim.add_fault(Fault(endpoint="batch", status=429, headers=headers))
    client = make_client()

    with pytest.raises(CxEngageRateLimitError, match="HTTP 429") as info:
        await client.get_statistics([QUEUE_LENGTH])

    assert info.value.retry_after == expected
    assert info.value.status == 429


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html><body><h1>Bad Gateway</h1></body></html>", "text/html"),
        ("", "text/plain"),
        ('{"error": {"message": "boom"}}', "application/json"),
    ],
)
async def test_server_errors_are_connection_errors(
    sim: Simulator,
    make_client: ClientFactory,
    status: int,
    body: str,
    content_type: str,
) -> None:
    sim.add_fault(Fault(status=status, body=body, content_type=content_type))
    client = make_client()

    with pytest.raises(CxEngageConnectionError, match=f"HTTP {status}") as info:
        await client.get_available_statistics()

    assert info.value.status == status
    assert client.counters.failures == 1


async def test_server_error_on_token_endpoint(
    sim: Simulator, make_client: ClientFactory
) -> None:
    sim.add_fault(Fault(endpoint="tokens", status=503, body="<html>"))
    client = make_client(AuthMethod.TOKEN)

    with pytest.raises(CxEngageConnectionError, match="/v1/tokens"):
        await client.get_available_statistics()

    assert sim.request_counts["available"] == 0


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html>OK</html>", "text/html"),
        ("", "application/json"),
        ('{"results": {"count": 1', "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"text"', "application/json"),
        ("null", "application/json"),
    ],
)
async def test_bad_2xx_bodies_are_invalid_response(
    sim: Simulator, make_client: ClientFactory, body: str, content_type: str
) -> None:
    sim.add_fault(Fault(status=200, body=body, content_type=content_type))
    client = make_client()

    with pytest.raises(CxEngageInvalidResponseError, match="GET /v1/tenants"):
        await client.get_available_statistics()
    with pytest.raises(CxEngageInvalidResponseError):
        await client.get_statistic(QUEUE_LENGTH)
    with pytest.raises(CxEngageInvalidResponseError):
        await client.get_queues()


async def test_bad_token_response_is_invalid_response(
    sim: Simulator, make_client: ClientFactory
) -> None:
    sim.add_fault(Fault(endpoint="tokens", status=200, body='{"token": ""}'))
    client = make_client(AuthMethod.TOKEN)

    with pytest.raises(CxEngageInvalidResponseError, match="token"):
        await client.get_available_statistics()


async def _call_endpoint(client: CxEngageClient, endpoint: str) -> object:
    """Call the client method that sends a request to the simulator's `endpoint`."""
    if endpoint == "statistic":
        return await client.get_statistic(QUEUE_LENGTH)
    if endpoint == "batch":
        return await client.get_statistics([QUEUE_LENGTH])
    if endpoint == "queues":
        return await client.get_queues()
    if endpoint == "users":
        return await client.get_users()
    return await client.get_available_statistics()


@pytest.mark.parametrize(
    "endpoint", ["available", "statistic", "batch", "tokens", "queues", "users"]
)
async def test_truncated_json_is_invalid_response(
    sim: Simulator, make_client: ClientFactory, endpoint: str
) -> None:
    sim.add_fault(Fault(endpoint=endpoint, truncate=True))
    client = make_client(AuthMethod.TOKEN)

    with pytest.raises(CxEngageInvalidResponseError, match="not valid JSON"):
        await _call_endpoint(client, endpoint)


@pytest.mark.parametrize("endpoint", ["available", "tokens", "batch", "statistic"])
async def test_reset_mid_body_is_connection_error(
    sim: Simulator, make_client: ClientFactory, endpoint: str
) -> None:
    sim.add_fault(Fault(endpoint=endpoint, reset_connection=True))
    client = make_client(AuthMethod.TOKEN)

    with pytest.raises(CxEngageConnectionError, match="failed"):
        await _call_endpoint(client, endpoint)


@pytest.mark.parametrize("endpoint", ["available", "tokens", "batch", "statistic"])
async def test_timeout_is_connection_error(
    sim: Simulator, make_client: ClientFactory, endpoint: str
) -> None:
    sim.add_fault(Fault(endpoint=endpoint, delay=2.0, passthrough=True))
    client = make_client(AuthMethod.TOKEN, request_timeout=0.2)

    with pytest.raises(CxEngageConnectionError, match=r"timed out after 0\.2 s"):
        await _call_endpoint(client, endpoint)

    assert client.counters.failures == 1
    assert client.counters.last_request_duration is not None
    assert client.counters.last_request_duration < 1.5


async def test_connection_refused_is_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    client = CxEngageClient(
        session,
        base_url=f"http://127.0.0.1:{_unused_port()}",
        tenant_id=DEFAULT_TENANT_ID,
        credentials=CREDENTIALS[AuthMethod.TOKEN],
    )

    with pytest.raises(CxEngageConnectionError, match="POST /v1/tokens failed"):
        await client.get_available_statistics()

    assert client.counters.requests == 1
    assert client.counters.failures == 1


async def test_tls_error_is_connection_error(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    # The simulator speaks plain HTTP, so the TLS handshake fails.
    client = CxEngageClient(
        session,
        base_url=sim.base_url.replace("http://", "https://"),
        tenant_id=DEFAULT_TENANT_ID,
        credentials=CREDENTIALS[AuthMethod.BASIC],
    )

    with pytest.raises(CxEngageConnectionError, match=r"GET /v1/tenants/.* failed"):
        await client.get_available_statistics()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (101, CxEngageInvalidResponseError),
        (304, CxEngageInvalidResponseError),
        (401, CxEngageAuthenticationError),
        (403, CxEngageForbiddenError),
        (404, CxEngageTenantNotFoundError),
        (410, CxEngageError),
        (501, CxEngageConnectionError),
    ],
)
def test_status_classification(status: int, error: type[CxEngageError]) -> None:
    error_class, _ = _classify_status(status, CxEngageTenantNotFoundError)

    assert error_class is error


async def test_body_over_limit_is_invalid_response(
    sim: Simulator, make_client: ClientFactory
) -> None:
    huge = '{"padding": "' + "x" * (8 * 1024 * 1024) + '"}'
    sim.add_fault(Fault(endpoint="available", status=200, body=huge))
    client = make_client()

    with pytest.raises(CxEngageInvalidResponseError, match="byte limit"):
        await client.get_available_statistics()

    small = make_client(max_response_bytes=100)
    with pytest.raises(CxEngageInvalidResponseError, match="byte limit"):
        await small.get_queues()


async def test_streamed_body_over_limit_is_invalid_response(
    session: aiohttp.ClientSession,
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(8):
            await response.write(b" " * 1024)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_get(f"/v1/tenants/{DEFAULT_TENANT_ID}/queues", handler)
    async with _serve(app) as base_url:
        client = CxEngageClient(
            session,
            base_url=base_url,
            tenant_id=DEFAULT_TENANT_ID,
            credentials=CREDENTIALS[AuthMethod.BASIC],
            max_response_bytes=4096,
        )
        with pytest.raises(CxEngageInvalidResponseError, match="over the 4096 byte"):
            await client.get_queues()


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_redirect_is_invalid_response(
    sim: Simulator, make_client: ClientFactory, status: int
) -> None:
    location = f"{sim.base_url}/v1/tenants/{DEFAULT_TENANT_ID}/queues"
    sim.add_fault(
        Fault(endpoint="available", status=status, headers={"Location": location})
    )
    client = make_client()

    with pytest.raises(CxEngageInvalidResponseError, match="redirect"):
        await client.get_available_statistics()

    assert sim.request_counts["queues"] == 0
    assert sim.request_counts["total"] == 1


async def test_unexpected_4xx_is_error(
    sim: Simulator, make_client: ClientFactory
) -> None:
    sim.add_fault(Fault(endpoint="queues", status=409))
    client = make_client()

    with pytest.raises(
        CxEngageError, match=r"GET /v1/tenants/.*/queues failed \(HTTP 409\)"
    ):
        await client.get_queues()


# Catalogue, numbers, queues and users.


async def test_catalogue_casings_parse_alike(
    sim: Simulator, make_client: ClientFactory
) -> None:
    client = make_client()
    camel = await client.get_available_statistics()

    sim.config.catalogue_casing = "kebab"
    kebab = await client.get_available_statistics()

    assert kebab == camel
    assert camel["interactions-in-conversation-count"].label == (
        "Interactions in Conversation"
    )
    assert camel["queue-time"].response_keys == ("count", "min", "max", "total", "avg")
    assert camel["customer-satisfaction-score"].optional_filters == (
        "queue-id",
        "resource-id",
    )
    assert camel["queue-length"].type == "interaction-count"


async def test_numbers_as_strings(sim: Simulator, make_client: ClientFactory) -> None:
    queries = [
        StatisticQuery(statistic.name)
        for statistic in STATISTICS.values()
        if statistic.kind is not Kind.LIST
    ]
    client = make_client()
    as_numbers = await client.get_statistics(queries)
    single_numbers = await client.get_statistic(QUEUE_TIME)

    sim.config.numbers_as_strings = True
    as_strings = await client.get_statistics(queries)
    single_strings = await client.get_statistic(QUEUE_TIME)

    assert as_strings == as_numbers
    assert single_strings == single_numbers
    assert not any(isinstance(value, ItemError) for value in as_strings.values())


async def test_get_queues_and_users(sim: Simulator, make_client: ClientFactory) -> None:
    client = make_client(AuthMethod.API_KEY)

    queues = await client.get_queues()
    users = await client.get_users()

    assert {queue.name: queue.id for queue in queues} == QUEUE_IDS
    assert all(queue.active for queue in queues)
    assert {user.name: user.id for user in users} == AGENT_IDS
    assert all("@" not in user.name for user in users)
    assert sim.request_counts["queues"] == 1
    assert sim.request_counts["users"] == 1


async def test_counters(sim: Simulator, make_client: ClientFactory) -> None:
    client = make_client(AuthMethod.TOKEN)

    await client.get_statistic(QUEUE_LENGTH)
    with pytest.raises(InvalidStatisticError):
        await client.get_statistic(UNKNOWN)

    assert client.counters.requests == 3
    assert client.counters.token_requests == 1
    assert client.counters.failures == 1
    assert client.counters.last_request_duration is not None
    assert sim.request_counts["total"] == 3


async def test_concurrency_is_bounded(session: aiohttp.ClientSession) -> None:
    in_flight = 0
    peak = 0

    async def handler(_request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return web.json_response({"results": {"count": 1, "unit": "count"}})

    app = web.Application()
    app.router.add_get(
        f"/v1/tenants/{DEFAULT_TENANT_ID}/realtime-statistics/{{name}}", handler
    )
    app.router.add_post(
        f"/v1/tenants/{DEFAULT_TENANT_ID}/realtime-statistics/batch",
        _method_not_allowed,
    )
    async with _serve(app) as base_url:
        client = CxEngageClient(
            session,
            base_url=base_url,
            tenant_id=DEFAULT_TENANT_ID,
            credentials=CREDENTIALS[AuthMethod.BASIC],
            max_concurrent_requests=3,
        )
        queries = [StatisticQuery(f"statistic-{index}") for index in range(12)]
        results = await client.get_statistics(queries)

    assert all(result == CountResult(1) for result in results.values())
    assert peak == 3


# Secrets.


async def test_no_secret_in_errors_or_logs(
    sim: Simulator, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []
    tokens: list[str] = []

    for method in ALL_METHODS:
        client = make_client(method, request_timeout=0.2)
        await client.get_statistics(MIXED_QUERIES)
        if client._tokens is not None and client._tokens._token is not None:
            tokens.append(client._tokens._token.value)
        sim.expire_tokens()
        for fault in (
            Fault(status=401),
            Fault(status=403),
            Fault(status=404),
            Fault(status=429, headers={"Retry-After": "1"}),
            Fault(status=502, body="<html>"),
            Fault(status=200, body="{bad json"),
            Fault(status=302, headers={"Location": "http://127.0.0.2/"}),
            Fault(delay=1.0, passthrough=True),
            Fault(reset_connection=True),
        ):
            sim.clear_faults()
            sim.add_fault(fault)
            for call in (
                client.get_available_statistics(),
                client.get_statistics([QUEUE_LENGTH]),
                client.get_statistic(QUEUE_TIME),
            ):
                try:
                    await call
                except CxEngageError as err:
                    errors.append(err)
        sim.clear_faults()

    wrong = make_client(credentials=Credentials(AuthMethod.TOKEN, "x@y.z", "bad-pass"))
    with pytest.raises(CxEngageAuthenticationError) as info:
        await wrong.get_queues()
    errors.append(info.value)

    assert len(tokens) == 2
    basic_header = base64.b64encode(
        f"{DEFAULT_USERNAME}:{DEFAULT_PASSWORD}".encode()
    ).decode()
    secrets = [DEFAULT_PASSWORD, DEFAULT_API_SECRET, "bad-pass", basic_header, *tokens]
    texts = [caplog.text, *(str(error) for error in errors)]
    texts += [repr(error) for error in errors]
    texts += [str(error.__cause__) for error in errors if error.__cause__ is not None]
    assert len(errors) > 50
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert "Authorization" not in caplog.text


async def _method_not_allowed(request: web.Request) -> web.Response:
    raise web.HTTPMethodNotAllowed(request.method, ["GET"])


class _serve:  # noqa: N801 - used like a function: `async with _serve(app) as url`
    """Serve an aiohttp app on a free loopback port for one test."""

    def __init__(self, app: web.Application) -> None:
        self._runner = web.AppRunner(app)

    async def __aenter__(self) -> str:
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        return f"http://{host}:{port}"

    async def __aexit__(self, *_exc_info: object) -> None:
        await self._runner.cleanup()
