"""Tests of the fake CxEngage Reporting API server, over HTTP on loopback."""

from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime
from email.utils import format_datetime
import json
import logging
import time
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from simulator import (
    AGENT_IDS,
    API_KEY_USER_ID,
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_LIMITED_PASSWORD,
    DEFAULT_LIMITED_USERNAME,
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
    QUEUE_IDS,
    REGION_ID,
    STATISTICS,
    SUPERVISOR_USER_ID,
    Fault,
    Kind,
    RequestRecord,
    Simulator,
    SimulatorConfig,
)
from tests.simulator.conftest import FROZEN_TIME

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

TENANT = DEFAULT_TENANT_ID
EASTERN = ZoneInfo("US/Eastern")
SALES = QUEUE_IDS["Sales"]
ALICE = AGENT_IDS["Alice Martin"]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def basic_header(
    username: str = DEFAULT_USERNAME,
    password: str = DEFAULT_PASSWORD,
    encoding: str = "utf-8",
) -> dict[str, str]:
    """Build a Basic Authorization header, encoding the credentials as `encoding`."""
    raw = f"{username}:{password}".encode(encoding)
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


AUTH = basic_header()


def tenant_url(sim: Simulator, path: str = "", tenant: str = TENANT) -> str:
    return f"{sim.base_url}/v1/tenants/{tenant}{path}"


def stat_url(sim: Simulator, name: str) -> str:
    return tenant_url(sim, f"/realtime-statistics/{name}")


async def get_json(
    session: aiohttp.ClientSession,
    url: str,
    *,
    headers: Mapping[str, str] = AUTH,
    params: Mapping[str, str] | None = None,
) -> tuple[int, Any]:
    async with session.get(url, headers=headers, params=params) as response:
        return response.status, await response.json(content_type=None)


async def post_json(
    session: aiohttp.ClientSession,
    url: str,
    body: object,
    *,
    headers: Mapping[str, str] = AUTH,
) -> tuple[int, Any]:
    async with session.post(url, json=body, headers=headers) as response:
        return response.status, await response.json(content_type=None)


async def get_token(
    session: aiohttp.ClientSession, sim: Simulator, **fields: object
) -> str:
    body = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, **fields}
    url = f"{sim.base_url}/v1/tokens"
    status, data = await post_json(session, url, body, headers={})
    assert status == 200
    token: str = data["token"]
    return token


def jwt_payload(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def local_time(
    month: int, day: int, hour: int, minute: int = 0, second: int = 0
) -> float:
    """Return the epoch time of a wall-clock time in 2026 in US/Eastern."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=EASTERN).timestamp()


def frozen(at: float) -> Callable[[], float]:
    """Return a clock that always returns `at`."""
    return lambda: at


# Tokens.


async def test_token_for_user(sim: Simulator, session: aiohttp.ClientSession) -> None:
    body = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    status, data = await post_json(session, f"{sim.base_url}/v1/tokens", body)

    assert status == 200
    assert data["ttl"] == 86400
    assert len(data["token"].split(".")) == 3
    payload = jwt_payload(data["token"])
    assert payload["user-id"] == SUPERVISOR_USER_ID
    assert payload["type"] == "token"
    assert payload["iat"] == int(FROZEN_TIME)
    assert payload["exp"] - payload["iat"] == 86400

    headers = {"Authorization": f"Token {data['token']}"}
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 200
    assert sim.requests[-1].auth_scheme == "token"


async def test_token_for_api_key(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    body = {
        "username": DEFAULT_API_KEY,
        "password": DEFAULT_API_SECRET,
        "tenantId": TENANT,
    }
    status, data = await post_json(session, f"{sim.base_url}/v1/tokens", body)

    assert status == 200
    assert jwt_payload(data["token"])["user-id"] == API_KEY_USER_ID
    headers = {"Authorization": f"Token {data['token']}"}
    status, _ = await get_json(session, stat_url(sim, "queue-length"), headers=headers)
    assert status == 200


@pytest.mark.parametrize(
    ("body", "expected_status"),
    [
        ({"username": DEFAULT_USERNAME, "password": "wrong"}, 401),
        ({"username": "nobody@example.com", "password": DEFAULT_PASSWORD}, 401),
        ({"username": DEFAULT_API_KEY, "password": "wrong", "tenantId": TENANT}, 401),
        (
            {
                "username": DEFAULT_API_KEY,
                "password": DEFAULT_API_SECRET,
                "tenantId": UNKNOWN_ID,
            },
            401,
        ),
        ({"username": DEFAULT_API_KEY, "password": DEFAULT_API_SECRET}, 400),
        ({"username": DEFAULT_USERNAME}, 400),
        ([DEFAULT_USERNAME, DEFAULT_PASSWORD], 400),
        ({"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, "ttl": "1"}, 400),
        ({"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD, "ttl": 0}, 400),
    ],
)
async def test_token_rejected(
    sim: Simulator,
    session: aiohttp.ClientSession,
    body: object,
    expected_status: int,
) -> None:
    status, data = await post_json(session, f"{sim.base_url}/v1/tokens", body)

    assert status == expected_status
    assert isinstance(data["error"]["message"], str)


async def test_token_body_not_json(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    async with session.post(f"{sim.base_url}/v1/tokens", data=b"{nope") as response:
        assert response.status == 400


async def test_api_key_token_optional_tenant(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.config.api_key_requires_tenant = False
    body = {"username": DEFAULT_API_KEY, "password": DEFAULT_API_SECRET}

    status, data = await post_json(session, f"{sim.base_url}/v1/tokens", body)

    assert status == 200
    assert jwt_payload(data["token"])["user-id"] == API_KEY_USER_ID


async def test_token_expires_after_ttl(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    token = await get_token(session, sim, ttl=60)
    payload = jwt_payload(token)
    assert payload["exp"] - payload["iat"] == 60
    headers = {"Authorization": f"Token {token}"}

    sim.clock = frozen(FROZEN_TIME + 59)
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 200

    sim.clock = frozen(FROZEN_TIME + 60)
    status, data = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 401
    assert data["error"]["message"] == "Token expired"


async def test_expire_tokens_rejects_old(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    old = {"Authorization": f"Token {await get_token(session, sim)}"}
    status, _ = await get_json(session, tenant_url(sim), headers=old)
    assert status == 200

    sim.expire_tokens()

    status, _ = await get_json(session, tenant_url(sim), headers=old)
    assert status == 401
    new = {"Authorization": f"Token {await get_token(session, sim)}"}
    status, _ = await get_json(session, tenant_url(sim), headers=new)
    assert status == 200


async def test_token_config_ttl(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.config.token_ttl = 120
    token = await get_token(session, sim)
    payload = jwt_payload(token)
    assert payload["exp"] - payload["iat"] == 120


# Basic authentication and check order.


async def test_basic_colon_non_ascii_password(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    assert ":" in DEFAULT_PASSWORD
    assert not DEFAULT_PASSWORD.isascii()

    status, _ = await get_json(session, tenant_url(sim), headers=basic_header())
    assert status == 200
    assert sim.requests[-1].auth_scheme == "basic"


async def test_basic_latin1_password_rejected(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    status, _ = await get_json(
        session, tenant_url(sim), headers=basic_header(encoding="latin1")
    )
    assert status == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        basic_header(password="wrong"),
        basic_header(password=DEFAULT_PASSWORD.split(":", maxsplit=1)[0]),
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        {"Authorization": "Token not.a.jwt"},
        {"Authorization": "Token garbage"},
        {"Authorization": f"Bearer {DEFAULT_USERNAME}"},
    ],
)
async def test_invalid_auth_401(
    sim: Simulator, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with session.get(tenant_url(sim), headers=headers) as response:
        assert response.status == 401
        assert "WWW-Authenticate" not in response.headers
        assert response.content_type == "application/json"
        data = await response.json()
    assert isinstance(data["error"]["message"], str)


async def test_api_key_as_basic(sim: Simulator, session: aiohttp.ClientSession) -> None:
    headers = basic_header(DEFAULT_API_KEY, DEFAULT_API_SECRET)
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 401

    sim.config.api_key_basic = True
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 200


async def test_token_from_other_simulator_rejected(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    async with Simulator() as other:
        token = await get_token(session, other)
    headers = {"Authorization": f"Token {token}"}
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 401


LIMITED = basic_header(DEFAULT_LIMITED_USERNAME, DEFAULT_LIMITED_PASSWORD)


@pytest.mark.parametrize(
    ("headers", "tenant", "expected_status"),
    [
        ({}, UNKNOWN_ID, 401),
        (basic_header(password="wrong"), "not-a-uuid", 401),
        (AUTH, UNKNOWN_ID, 404),
        (AUTH, "not-a-uuid", 404),
        (LIMITED, UNKNOWN_ID, 404),
        (LIMITED, TENANT, 403),
        (AUTH, TENANT.upper(), 200),
    ],
)
async def test_check_order(
    sim: Simulator,
    session: aiohttp.ClientSession,
    headers: dict[str, str],
    tenant: str,
    expected_status: int,
) -> None:
    url = tenant_url(sim, "/realtime-statistics/queue-length", tenant=tenant)
    status, _ = await get_json(session, url, headers=headers)
    assert status == expected_status


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", ""),
        ("GET", "/queues"),
        ("GET", "/users"),
        ("GET", "/realtime-statistics/available"),
        ("GET", "/realtime-statistics/queue-length"),
        ("GET", f"/users/{ALICE}/realtime-statistics/resource-capacity"),
        ("POST", "/realtime-statistics/batch"),
    ],
)
async def test_limited_user_403(
    sim: Simulator, session: aiohttp.ClientSession, method: str, path: str
) -> None:
    body = {"requests": {"a": {"statistic": "queue-length"}}}
    async with session.request(
        method, tenant_url(sim, path), headers=LIMITED, json=body
    ) as response:
        assert response.status == 403


async def test_limited_user_logs_in(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    body = {"username": DEFAULT_LIMITED_USERNAME, "password": DEFAULT_LIMITED_PASSWORD}
    status, data = await post_json(session, f"{sim.base_url}/v1/tokens", body)
    assert status == 200
    headers = {"Authorization": f"Token {data['token']}"}

    status, login = await post_json(
        session, f"{sim.base_url}/v1/login", {}, headers=headers
    )
    assert status == 200
    assert login["result"]["tenants"][0]["tenantId"] == TENANT
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 403


async def test_login_lists_tenant(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    status, data = await post_json(session, f"{sim.base_url}/v1/login", {})
    assert status == 200
    assert data["result"]["userId"] == SUPERVISOR_USER_ID
    assert data["result"]["username"] == DEFAULT_USERNAME
    assert data["result"]["tenants"][0]["tenantId"] == TENANT

    status, _ = await post_json(session, f"{sim.base_url}/v1/login", {}, headers={})
    assert status == 401


# Tenant, queues and users.


async def test_tenant_body(sim: Simulator, session: aiohttp.ClientSession) -> None:
    status, data = await get_json(session, tenant_url(sim))
    assert status == 200
    assert data["result"]["id"] == TENANT
    assert data["result"]["name"] == "Example Contact Centre"
    assert data["result"]["timezone"] == "US/Eastern"
    assert data["result"]["regionId"] == REGION_ID


async def test_queues_listing(sim: Simulator, session: aiohttp.ClientSession) -> None:
    status, data = await get_json(session, tenant_url(sim, "/queues"))
    assert status == 200
    queues = {queue["name"]: queue for queue in data["result"]}
    assert set(queues) == {"Sales", "Support", "Billing", "VIP Care"}
    for name, queue in queues.items():
        assert queue["id"] == QUEUE_IDS[name]
        assert queue["tenantId"] == TENANT
        assert queue["active"] is True
        assert isinstance(queue["description"], str)


async def test_users_listing(sim: Simulator, session: aiohttp.ClientSession) -> None:
    status, data = await get_json(session, tenant_url(sim, "/users"))
    assert status == 200
    assert {user["id"] for user in data["result"]} == set(AGENT_IDS.values())
    for user in data["result"]:
        assert set(user) >= {"firstName", "lastName", "email", "state", "roleName"}

    status, online = await get_json(
        session, tenant_url(sim, "/users"), params={"offline": "false"}
    )
    assert status == 200
    assert len(online["result"]) == 4
    assert all(user["state"] != "offline" for user in online["result"])


# Available statistics.


async def test_available_camel_case(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    status, data = await get_json(
        session,
        stat_url(sim, "available"),
        params={"client": "toolbar", "locale": "en-US"},
    )

    assert status == 200
    assert len(data) >= 30
    assert data["queue-length"] == {
        "name": "queue-length",
        "type": "interaction-count",
        "userFriendlyName": "Queue Length",
        "optionalFilters": ["queue-id"],
        "responseKeys": {"count": "count"},
    }
    assert data["resource-handle-time"]["optionalFilters"] == ["resource-id"]
    assert set(data["queue-time"]["responseKeys"]) == {
        "count",
        "min",
        "max",
        "total",
        "avg",
    }
    assert data["customer-satisfaction-score"]["optionalFilters"] == [
        "queue-id",
        "resource-id",
    ]
    assert data["resources-logged-in-count"]["optionalFilters"] == []
    labels = [entry["userFriendlyName"] for entry in data.values()]
    assert any(label.startswith(" ") for label in labels)
    assert any("Count of" in label for label in labels)
    assert any("Percentage of" in label for label in labels)


async def test_available_kebab_case(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.config.catalogue_casing = "kebab"

    status, data = await get_json(session, stat_url(sim, "available"))

    assert status == 200
    entry = data["service-level"]
    assert set(entry) == {
        "name",
        "type",
        "user-friendly-name",
        "optional-filters",
        "response-keys",
    }
    assert entry["optional-filters"] == ["queue-id"]
    assert entry["response-keys"] == {"percent": "percent"}


def test_catalogue_covers_kinds() -> None:
    kinds = [statistic.kind for statistic in STATISTICS.values()]
    assert len(STATISTICS) >= 30
    assert kinds.count(Kind.COUNT) >= 10
    assert kinds.count(Kind.TIME) >= 10
    assert kinds.count(Kind.PERCENT) >= 5
    assert kinds.count(Kind.LIST) >= 4


# Single statistics.


@pytest.mark.parametrize("name", sorted(STATISTICS))
async def test_every_statistic_shape(
    sim: Simulator, session: aiohttp.ClientSession, name: str
) -> None:
    status, data = await get_json(session, stat_url(sim, name))

    assert status == 200
    assert isinstance(data["queryTime"], int)
    results = data["results"]
    assert results["queryWindow"] == {
        "start": "2026-01-15T05:00:00.000Z",
        "end": "2026-01-16T04:59:59.999Z",
    }
    kind = STATISTICS[name].kind
    if kind is Kind.COUNT:
        assert results["unit"] == "count"
        assert isinstance(results["count"], int)
        assert results["count"] >= 0
    elif kind is Kind.TIME:
        assert results["unit"] == "millis"
        assert results["min"] <= results["avg"] <= results["max"]
        assert results["total"] == results["avg"] * results["count"]
        assert results["count"] >= 1
    elif kind is Kind.PERCENT:
        assert results["unit"] == "percentage"
        assert 0.0 <= results["percent"] <= 100.0
    else:
        assert isinstance(results[STATISTICS[name].list_key], list)


async def test_count_example_shape(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    status, data = await get_json(
        session, stat_url(sim, "queue-length"), params={"queue-id": SALES}
    )
    assert status == 200
    assert set(data) == {"results", "queryTime"}
    assert set(data["results"]) == {"count", "unit", "queryWindow"}
    assert 0 <= data["results"]["count"] <= 15


async def test_queue_length_sums_queues(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    per_queue = []
    for queue_id in QUEUE_IDS.values():
        _, data = await get_json(
            session, stat_url(sim, "queue-length"), params={"queue-id": queue_id}
        )
        per_queue.append(data["results"]["count"])

    _, tenant = await get_json(session, stat_url(sim, "queue-length"))
    assert tenant["results"]["count"] == sum(per_queue)


async def test_agent_states_sum(sim: Simulator, session: aiohttp.ClientSession) -> None:
    counts = {}
    for state in ("logged-in", "idle", "busy", "away"):
        _, data = await get_json(session, stat_url(sim, f"resources-{state}-count"))
        counts[state] = data["results"]["count"]

    assert 8 <= counts["logged-in"] <= 40
    assert counts["idle"] + counts["busy"] + counts["away"] == counts["logged-in"]
    _, idle = await get_json(session, stat_url(sim, "resources-idle-percentage"))
    expected = round(100 * counts["idle"] / counts["logged-in"], 2)
    assert idle["results"]["percent"] == expected


async def test_filtered_differs_from_tenant(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    _, tenant = await get_json(session, stat_url(sim, "resource-handle-time"))
    for agent_id in AGENT_IDS.values():
        _, agent = await get_json(
            session,
            stat_url(sim, "resource-handle-time"),
            params={"resource-id": agent_id},
        )
        assert agent["results"] != tenant["results"]
        assert 120_000 <= agent["results"]["avg"] <= 600_000


async def test_both_filters_accepted(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    params = {"queue-id": SALES, "resource-id": ALICE}
    status, data = await get_json(
        session, stat_url(sim, "customer-satisfaction-score"), params=params
    )
    assert status == 200
    assert data["results"]["unit"] == "percentage"


async def test_camel_case_filter_alias(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    _, kebab = await get_json(
        session, stat_url(sim, "queue-time"), params={"queue-id": SALES}
    )
    status, camel = await get_json(
        session, stat_url(sim, "queue-time"), params={"queueId": SALES}
    )
    assert status == 200
    assert camel == kebab


@pytest.mark.parametrize(
    ("name", "query", "expected_status"),
    [
        ("no-such-statistic", "", 404),
        ("queue-length", f"resource-id={ALICE}", 400),
        ("queue-length", "group-id=abc", 400),
        ("resources-logged-in-count", f"queue-id={SALES}", 400),
        ("queue-length", f"queue-id={UNKNOWN_ID}", 404),
        ("queue-length", "queue-id=not-a-uuid", 404),
        ("resource-handle-time", f"resource-id={UNKNOWN_ID}", 404),
        ("resource-handle-time", f"resource-id={SALES}", 404),
        ("queue-length", "queue-id=", 400),
        ("queue-length", f"queue-id={SALES}&queue-id={SALES}", 400),
        ("queue-length", f"queue-id={SALES}&queueId={QUEUE_IDS['Billing']}", 400),
        ("queue-length", "client=toolbar&unrelated=1", 200),
    ],
)
async def test_statistic_request_errors(
    sim: Simulator,
    session: aiohttp.ClientSession,
    name: str,
    query: str,
    expected_status: int,
) -> None:
    url = stat_url(sim, name) + (f"?{query}" if query else "")
    status, data = await get_json(session, url)
    assert status == expected_status
    if expected_status != 200:
        assert isinstance(data["error"]["message"], str)


async def test_interactions_in_queue_list(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    params = {"queue-id": QUEUE_IDS["Support"]}
    _, length = await get_json(session, stat_url(sim, "queue-length"), params=params)
    status, data = await get_json(
        session, stat_url(sim, "interactions-in-queue-list"), params=params
    )

    assert status == 200
    rows = data["results"]["interactions"]
    assert len(rows) == length["results"]["count"]
    for row in rows:
        assert row["queueName"] == "Support"
        assert set(row) == {
            "interactionId",
            "flowName",
            "channelType",
            "direction",
            "customer",
            "contactPoint",
            "startTimestamp",
            "currentStateDuration",
            "queueName",
            "avgTimeToAnswer",
            "customAttributes",
        }
        assert row["startTimestamp"].endswith("Z")


async def test_conversation_list_matches_count(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    _, count = await get_json(
        session, stat_url(sim, "interactions-in-conversation-count")
    )
    _, data = await get_json(
        session, stat_url(sim, "interactions-in-conversation-list")
    )
    assert len(data["results"]["interactions"]) == count["results"]["count"]


async def test_queue_details_list(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    status, data = await get_json(session, stat_url(sim, "queue-details-list"))
    assert status == 200
    details = data["results"]["details"]
    assert [row["queueName"] for row in details] == list(QUEUE_IDS)

    _, level = await get_json(
        session, stat_url(sim, "service-level"), params={"queue-id": SALES}
    )
    sales = details[0]
    assert sales["serviceLevel"] == level["results"]["percent"]
    assert set(sales) == {
        "queueName",
        "serviceLevel",
        "abandonCount",
        "queueLength",
        "avgQueueDuration",
    }

    _, sales_only = await get_json(
        session, stat_url(sim, "queue-details-list"), params={"queue-id": SALES}
    )
    assert sales_only["results"]["details"] == [sales]


async def test_resource_capacity(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    status, data = await get_json(session, stat_url(sim, "resource-capacity"))
    assert status == 200
    rows = data["results"]["resourceCapacity"]
    assert len(rows) == 4
    assert all(0 <= row["load"] <= row["capacity"] for row in rows)

    url = tenant_url(sim, f"/users/{ALICE}/realtime-statistics/resource-capacity")
    status, alice = await get_json(session, url)
    assert status == 200
    assert [row["resourceId"] for row in alice["results"]["resourceCapacity"]] == [
        ALICE
    ]

    url = tenant_url(sim, f"/users/{UNKNOWN_ID}/realtime-statistics/resource-capacity")
    status, _ = await get_json(session, url)
    assert status == 404
    url = tenant_url(sim, f"/users/{ALICE}/realtime-statistics/queue-length")
    status, _ = await get_json(session, url)
    assert status == 404


async def test_numbers_as_strings(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.config.numbers_as_strings = True

    _, count = await get_json(session, stat_url(sim, "queue-length"))
    _, times = await get_json(session, stat_url(sim, "queue-time"))
    _, percent = await get_json(session, stat_url(sim, "service-level"))
    _, details = await get_json(session, stat_url(sim, "queue-details-list"))

    assert isinstance(count["results"]["count"], str)
    assert int(count["results"]["count"]) >= 0
    assert isinstance(count["queryTime"], str)
    for key in ("count", "min", "max", "total", "avg"):
        assert isinstance(times["results"][key], str)
    assert isinstance(percent["results"]["percent"], str)
    assert 0 <= float(percent["results"]["percent"]) <= 100
    assert isinstance(details["results"]["details"][0]["queueLength"], str)

    sim.config.numbers_as_strings = False
    _, plain = await get_json(session, stat_url(sim, "queue-length"))
    assert plain["results"]["count"] == int(count["results"]["count"])


# Values over time.


async def test_values_stable_in_bucket(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    _, first = await get_json(session, stat_url(sim, "queue-time"))
    sim.clock = frozen(FROZEN_TIME + 2)
    _, second = await get_json(session, stat_url(sim, "queue-time"))
    assert second == first

    async with Simulator() as other:
        other.clock = frozen(FROZEN_TIME)
        _, third = await get_json(
            session,
            f"{other.base_url}/v1/tenants/{TENANT}/realtime-statistics/queue-time",
        )
    assert third == first


async def test_values_change_across_buckets(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    bodies = []
    for step in range(4):
        sim.clock = frozen(FROZEN_TIME + 5 * step)
        _, data = await get_json(session, stat_url(sim, "resources-logged-in-count"))
        bodies.append(data["results"]["count"])
    assert len(set(bodies)) > 1


async def test_seed_changes_values(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    _, first = await get_json(session, stat_url(sim, "resource-talk-time"))
    sim.config.seed = 2
    _, second = await get_json(session, stat_url(sim, "resource-talk-time"))
    assert second["results"] != first["results"]


async def test_daily_counter_resets_at_midnight(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    url = stat_url(sim, "interaction-starts-count")

    sim.clock = frozen(local_time(1, 15, 23, 59, 55))
    _, before = await get_json(session, url)
    sim.clock = frozen(local_time(1, 16, 0, 0, 0))
    _, midnight = await get_json(session, url)
    sim.clock = frozen(local_time(1, 16, 0, 10, 0))
    _, later = await get_json(session, url)

    assert before["results"]["count"] >= 0.02 * 86_395 - 1
    assert midnight["results"]["count"] == 0
    assert 0 < later["results"]["count"] < before["results"]["count"]
    assert before["results"]["queryWindow"]["start"] == "2026-01-15T05:00:00.000Z"
    assert midnight["results"]["queryWindow"] == {
        "start": "2026-01-16T05:00:00.000Z",
        "end": "2026-01-17T04:59:59.999Z",
    }


async def test_query_window_in_summer(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    # 00:30 UTC on 2 July is still 1 July in US/Eastern (UTC-4 in summer).
    sim.clock = frozen(datetime(2026, 7, 2, 0, 30, tzinfo=UTC).timestamp())
    _, data = await get_json(session, stat_url(sim, "queue-length"))
    assert data["results"]["queryWindow"] == {
        "start": "2026-07-01T04:00:00.000Z",
        "end": "2026-07-02T03:59:59.999Z",
    }


async def test_daily_counters_never_decrease(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    names = ("queue-abandons-count", "work-accepted-count", "customer-holds-count")
    previous = dict.fromkeys(names, 0)
    for minute in range(0, 60, 15):
        sim.clock = frozen(local_time(1, 15, 9, minute))
        for name in names:
            _, data = await get_json(session, stat_url(sim, name))
            assert data["results"]["count"] >= previous[name]
            previous[name] = data["results"]["count"]


# Batch.


async def test_batch_mixed_items(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    body = {
        "requests": {
            "w1": {"statistic": "queue-length", "queue-id": SALES},
            "w2": {"statistic": "resources-logged-in-count"},
            "w3": {"statistic": "no-such-statistic"},
            "w4": {"statistic": "queue-length", "resource-id": ALICE},
            "w5": {"statistic": "queue-length", "queue-id": UNKNOWN_ID},
            "w6": {"queue-id": SALES},
            "w7": "queue-length",
            "w8": {"statistic": "queue-time", "queueId": SALES},
        }
    }
    status, data = await post_json(session, stat_url(sim, "batch"), body)

    assert status == 200
    results = data["results"]
    assert results["w1"]["status"] == 200
    _, single = await get_json(
        session, stat_url(sim, "queue-length"), params={"queue-id": SALES}
    )
    assert results["w1"]["body"] == single
    assert results["w2"]["status"] == 200
    assert results["w3"] == {"status": 404}
    assert results["w4"] == {"status": 400}
    assert results["w5"] == {"status": 404}
    assert results["w6"] == {"status": 400}
    assert results["w7"] == {"status": 400}
    assert results["w8"]["status"] == 200
    assert sim.requests[-2].batch_size == 8


@pytest.mark.parametrize(
    "payload",
    [b"{not json", b"[]", b"{}", b'{"requests": []}', b'{"requests": "x"}'],
)
async def test_batch_malformed_body(
    sim: Simulator, session: aiohttp.ClientSession, payload: bytes
) -> None:
    async with session.post(
        stat_url(sim, "batch"), data=payload, headers=AUTH
    ) as response:
        assert response.status == 400
    assert sim.requests[-1].batch_size is None


async def test_batch_item_failures(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    body = {
        "requests": {
            "a": {"statistic": "queue-length"},
            "b": {"statistic": "queue-length", "queue-id": SALES},
            "c": {"statistic": "service-level"},
            "d": {"statistic": "queue-time"},
        }
    }
    sim.fail_batch_item("queue-length", 500)
    sim.fail_batch_item("service-level", None)

    _, data = await post_json(session, stat_url(sim, "batch"), body)

    assert data["results"]["a"] == {"status": 500}
    assert data["results"]["b"] == {"status": 500}
    assert "c" not in data["results"]
    assert data["results"]["d"]["status"] == 200

    sim.clear_item_failures()
    _, data = await post_json(session, stat_url(sim, "batch"), body)
    assert {item["status"] for item in data["results"].values()} == {200}


async def test_batch_error_bodies(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.config.batch_error_bodies = True
    body = {"requests": {"a": {"statistic": "no-such-statistic"}}}
    _, data = await post_json(session, stat_url(sim, "batch"), body)
    item = data["results"]["a"]
    assert item["status"] == 404
    assert "no-such-statistic" in item["body"]["error"]["message"]


@pytest.mark.parametrize("batch_status", [404, 405])
async def test_batch_status_missing_endpoint(
    sim: Simulator, session: aiohttp.ClientSession, batch_status: int
) -> None:
    sim.config.batch_status = batch_status
    body = {"requests": {"a": {"statistic": "queue-length"}}}

    async with session.post(stat_url(sim, "batch"), json=body) as response:
        assert response.status == batch_status
        if batch_status == 405:
            assert response.headers["Allow"] == "GET"

    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200


async def test_batch_max_items(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.config.max_batch_items = 2
    items = {str(index): {"statistic": "queue-length"} for index in range(3)}
    status, data = await post_json(session, stat_url(sim, "batch"), {"requests": items})
    assert status == 400
    assert "3 > 2" in data["error"]["message"]


async def test_batch_numbers_as_strings(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.config.numbers_as_strings = True
    body = {"requests": {"a": {"statistic": "queue-length"}}}
    _, data = await post_json(session, stat_url(sim, "batch"), body)
    assert data["results"]["a"]["status"] == 200
    assert isinstance(data["results"]["a"]["body"]["results"]["count"], str)


# Faults.


async def test_fault_status_retry_after(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    retry_date = format_datetime(datetime(2026, 1, 15, 15, 31, tzinfo=UTC), usegmt=True)
    sim.add_fault(
        Fault(endpoint="statistic", status=503, headers={"Retry-After": "5"}, times=1)
    )
    sim.add_fault(
        Fault(
            endpoint="statistic",
            status=429,
            headers={"Retry-After": retry_date},
            times=1,
        )
    )

    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 503
        assert response.headers["Retry-After"] == "5"
        data = await response.json()
    assert "503" in data["error"]["message"]
    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 429
        assert response.headers["Retry-After"] == "Thu, 15 Jan 2026 15:31:00 GMT"
    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200


async def test_fault_html_body(sim: Simulator, session: aiohttp.ClientSession) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    sim.add_fault(Fault(status=502, body=html, content_type="text/html"))

    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 502
        assert response.content_type == "text/html"
        assert await response.text() == html
        with pytest.raises(aiohttp.ContentTypeError):
            await response.json()


async def test_fault_status_200_bodies(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    huge = json.dumps({"results": {"count": 1, "padding": "x" * 2_000_000}})
    sim.add_fault(Fault(status=200, body='{"results": {"count": ', times=1))
    sim.add_fault(Fault(status=200, body=b'{"unexpected": []}', times=1))
    sim.add_fault(Fault(status=200, body=huge, times=1))

    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 200
        with pytest.raises(json.JSONDecodeError):
            await response.json()
    status, data = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200
    assert data == {"unexpected": []}
    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert len(await response.read()) == len(huge)


async def test_fault_times_and_order(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault(Fault(endpoint="batch", status=502))
    sim.add_fault(Fault(endpoint="statistic", status=500, times=2))
    sim.add_fault(Fault(status=504))

    statuses = []
    for _ in range(3):
        status, _ = await get_json(session, stat_url(sim, "queue-length"))
        statuses.append(status)
    assert statuses == [500, 500, 504]
    assert [fault.endpoint for fault in sim.faults] == ["batch", "any"]

    sim.clear_faults()
    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200


async def test_fault_on_tokens(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.add_fault(Fault(endpoint="tokens", status=503, times=1))
    body = {"username": DEFAULT_USERNAME, "password": DEFAULT_PASSWORD}
    status, _ = await post_json(session, f"{sim.base_url}/v1/tokens", body)
    assert status == 503
    status, _ = await post_json(session, f"{sim.base_url}/v1/tokens", body)
    assert status == 200


async def test_fault_delay_times_out(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault(Fault(endpoint="statistic", delay=5.0, times=1))
    timeout = aiohttp.ClientTimeout(total=0.2)
    started = time.monotonic()

    with pytest.raises(TimeoutError):
        async with session.get(
            stat_url(sim, "queue-length"), headers=AUTH, timeout=timeout
        ) as response:
            await response.read()

    assert time.monotonic() - started < 2.0
    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200


async def test_fault_passthrough_delay(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault(Fault(delay=0.1, passthrough=True, headers={"X-Slow": "1"}))
    started = time.monotonic()
    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 200
        assert response.headers["X-Slow"] == "1"
        data = await response.json()
    assert time.monotonic() - started >= 0.1
    assert data["results"]["unit"] == "count"


async def test_fault_reset_connection(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault(Fault(endpoint="statistic", reset_connection=True, times=1))

    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 200
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()

    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200


async def test_fault_reset_custom_body(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault(Fault(status=500, body="x" * 1000, reset_connection=True))
    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 500
        assert response.content_length == 1000
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()


async def test_fault_truncated_body(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    _, full = await get_json(session, stat_url(sim, "queue-time"))
    full_text = json.dumps(full)
    sim.add_fault(Fault(endpoint="statistic", truncate=True, times=1))
    sim.add_fault(Fault(status=200, body='{"results": {}}', truncate=True, times=1))

    async with session.get(stat_url(sim, "queue-time"), headers=AUTH) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        text = await response.text()
    assert text == full_text[: len(full_text) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)

    async with session.get(stat_url(sim, "queue-time"), headers=AUTH) as response:
        assert response.status == 200
        assert await response.text() == '{"resul'


@pytest.mark.parametrize(
    "fields",
    [
        {"endpoint": "nowhere"},
        {"status": 99},
        {"status": 600},
        {"delay": -1.0},
        {"times": 0},
    ],
)
def test_fault_rejects_invalid(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="Invalid fault"):
        Fault(**fields)


async def test_latency(sim: Simulator, session: aiohttp.ClientSession) -> None:
    sim.config.latency = 0.15
    started = time.monotonic()
    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200
    assert time.monotonic() - started >= 0.15


# Counters and records.


async def test_request_counts(sim: Simulator, session: aiohttp.ClientSession) -> None:
    await get_token(session, sim)
    await get_json(session, tenant_url(sim))
    await get_json(session, tenant_url(sim, "/queues"))
    await get_json(session, tenant_url(sim, "/users"), params={"offline": "false"})
    await get_json(session, stat_url(sim, "available"))
    await get_json(session, stat_url(sim, "queue-length"), params={"queue-id": SALES})
    await post_json(
        session, stat_url(sim, "batch"), {"requests": {"a": {"statistic": "x"}}}
    )
    async with session.get(f"{sim.base_url}/nowhere") as response:
        assert response.status == 404

    counts = sim.request_counts
    for name in ("tokens", "tenant", "queues", "users", "available", "statistic"):
        assert counts[name] == 1
    assert counts["batch"] == 1
    assert counts["unknown"] == 1
    assert counts["total"] == 8

    statistic = sim.requests[5]
    assert statistic.method == "GET"
    assert statistic.endpoint == "statistic"
    assert statistic.path.endswith("/realtime-statistics/queue-length")
    assert statistic.query == {"queue-id": SALES}
    assert statistic.auth_scheme == "basic"
    assert statistic.batch_size is None
    assert sim.requests[0].auth_scheme is None
    assert sim.requests[6].batch_size == 1

    sim.reset_counters()
    assert sim.request_counts["total"] == 0
    assert sim.requests == []


async def test_debug_log_hides_credentials(
    sim: Simulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="simulator")
    token = await get_token(session, sim)
    await get_json(session, tenant_url(sim))
    await get_json(
        session, tenant_url(sim), headers={"Authorization": f"Token {token}"}
    )

    assert f"GET /v1/tenants/{TENANT} (endpoint tenant, auth basic)" in caplog.text
    assert "-> HTTP 200" in caplog.text
    assert AUTH["Authorization"].split()[1] not in caplog.text
    assert DEFAULT_PASSWORD not in caplog.text
    assert token not in caplog.text


def test_request_records_bounded() -> None:
    sim = Simulator()
    for index in range(10_005):
        record = RequestRecord("GET", "statistic", f"/v1/{index}", {}, None, None)
        sim._state.record(record)

    assert len(sim.requests) == 10_000
    assert sim.requests[0].path == "/v1/5"
    assert sim.request_counts["total"] == 10_005


# Control endpoints.


async def test_control_faults(sim: Simulator, session: aiohttp.ClientSession) -> None:
    control = f"{sim.base_url}/_simulator"
    fault = {
        "endpoint": "statistic",
        "status": 503,
        "body": "<h1>busy</h1>",
        "content_type": "text/html",
        "headers": {"Retry-After": "7"},
        "times": 1,
    }
    async with session.post(f"{control}/faults", json=fault) as response:
        assert response.status == 201
    status, listed = await get_json(session, f"{control}/faults", headers={})
    assert status == 200
    assert listed["faults"][0]["times"] == 1

    async with session.get(stat_url(sim, "queue-length"), headers=AUTH) as response:
        assert response.status == 503
        assert response.headers["Retry-After"] == "7"
        assert await response.text() == "<h1>busy</h1>"

    async with session.post(f"{control}/faults", json={"status": 500}) as response:
        assert response.status == 201
    async with session.delete(f"{control}/faults") as response:
        assert response.status == 204
    status, _ = await get_json(session, stat_url(sim, "queue-length"))
    assert status == 200


@pytest.mark.parametrize(
    "payload",
    [
        b"nope",
        b"[]",
        b'{"unknown": 1}',
        b'{"status": "500"}',
        b'{"status": true}',
        b'{"headers": {"a": 1}}',
        b'{"endpoint": "nowhere"}',
        b'{"times": 0}',
    ],
)
async def test_control_fault_invalid(
    sim: Simulator, session: aiohttp.ClientSession, payload: bytes
) -> None:
    url = f"{sim.base_url}/_simulator/faults"
    async with session.post(url, data=payload) as response:
        assert response.status == 400
        data = await response.json()
    assert data["error"]["message"].startswith("Invalid fault")


async def test_control_tokens_and_counters(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    control = f"{sim.base_url}/_simulator"
    headers = {"Authorization": f"Token {await get_token(session, sim)}"}
    await get_json(session, tenant_url(sim), headers=headers)

    async with session.post(f"{control}/expire-tokens") as response:
        assert response.status == 204
    status, _ = await get_json(session, tenant_url(sim), headers=headers)
    assert status == 401

    status, counts = await get_json(session, f"{control}/counters", headers={})
    assert status == 200
    assert counts["tokens"] == 1
    assert counts["tenant"] == 2
    assert counts["batch"] == 0
    assert counts["total"] == 3

    async with session.post(f"{control}/reset-counters") as response:
        assert response.status == 204
    _, counts = await get_json(session, f"{control}/counters", headers={})
    assert counts["total"] == 0


async def test_control_config(sim: Simulator, session: aiohttp.ClientSession) -> None:
    url = f"{sim.base_url}/_simulator/config"
    settings = {"latency": 0.05, "batch_status": 405, "numbers_as_strings": True}
    async with session.put(url, json=settings) as response:
        assert response.status == 200
        data = await response.json()
    assert data["batch_status"] == 405
    assert sim.config.latency == 0.05
    assert sim.config.batch_status == 405
    assert sim.config.numbers_as_strings is True

    invalid_settings = (
        {"latency": "fast"},
        {"latency": -1},
        {"token_ttl": 5},
        {"batch_status": 42},
    )
    for invalid in invalid_settings:
        async with session.put(url, json=invalid) as response:
            assert response.status == 400
    async with session.put(url, json={"catalogue_casing": "snake"}) as response:
        assert response.status == 400
    async with session.put(url, json={"batch_status": None}) as response:
        assert response.status == 200
    assert sim.config.batch_status is None


async def test_control_item_failures(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    url = f"{sim.base_url}/_simulator/item-failures"
    failure = {"statistic": "queue-length", "status": 503}
    status, _ = await post_json(session, url, failure, headers={})
    assert status == 201
    invalid = {"statistic": "queue-time", "status": True}
    status, _ = await post_json(session, url, invalid, headers={})
    assert status == 400

    body = {"requests": {"a": {"statistic": "queue-length"}}}
    _, data = await post_json(session, stat_url(sim, "batch"), body)
    assert data["results"]["a"] == {"status": 503}

    async with session.delete(url) as response:
        assert response.status == 204
    _, data = await post_json(session, stat_url(sim, "batch"), body)
    assert data["results"]["a"]["status"] == 200


async def test_control_not_counted(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    sim.add_fault(Fault(status=500))
    sim.config.latency = 5.0
    started = time.monotonic()
    status, _ = await get_json(
        session, f"{sim.base_url}/_simulator/counters", headers={}
    )
    assert status == 200
    assert time.monotonic() - started < 1.0
    assert sim.request_counts["total"] == 0


# Lifecycle.


async def test_lifecycle_errors() -> None:
    sim = Simulator(SimulatorConfig(seed=3))
    with pytest.raises(RuntimeError, match="not running"):
        _ = sim.base_url
    await sim.stop()

    await sim.start()
    with pytest.raises(RuntimeError, match="already running"):
        await sim.start()
    assert sim.base_url.startswith("http://127.0.0.1:")
    await sim.stop()
    await sim.stop()


async def test_stop_ends_pending_delay(session: aiohttp.ClientSession) -> None:
    sim = Simulator()
    await sim.start()
    sim.add_fault(Fault(delay=30.0))
    request = asyncio.ensure_future(
        session.get(stat_url(sim, "queue-length"), headers=AUTH)
    )
    await asyncio.sleep(0.1)
    started = time.monotonic()

    await sim.stop()

    assert time.monotonic() - started < 2.0
    try:
        response = await request
    except aiohttp.ClientError:
        pass
    else:
        response.release()
