# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Tests of input validation: tenant ids, base URLs and statistic queries."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any, cast

import pytest

from custom_components.cxengage.api import (
    REGION_BASE_URLS,
    CxEngageValidationError,
    InvalidBaseUrlError,
    InvalidFilterError,
    InvalidStatisticError,
    InvalidTenantIdError,
    Region,
    StatisticQuery,
    normalize_base_url,
    normalize_tenant_id,
)
from custom_components.cxengage.api.validation import validate_statistic_name

TENANT = "5b9c1f52-7d43-4e1a-9a64-2f0d8c3e6a11"
QUEUE = "7c1e0a52-9b3d-4f6e-a1c2-3d4e5f6a7b01"
API_DIR = Path(__file__).parents[2] / "custom_components" / "cxengage" / "api"


def test_api_package_imports_no_home_assistant() -> None:
    for path in sorted(API_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("homeassistant"), f"{path.name}: {name}"


def test_api_package_is_typed() -> None:
    assert (API_DIR / "py.typed").is_file()


def test_region_urls() -> None:
    assert REGION_BASE_URLS[Region.NORTH_AMERICA] == "https://api.cxengage.net"
    assert REGION_BASE_URLS[Region.EUROPE] == "https://eu-west-1-prod-api.cxengage.net"
    assert Region.CUSTOM not in REGION_BASE_URLS
    for url in REGION_BASE_URLS.values():
        assert normalize_base_url(url) == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (TENANT, TENANT),
        (TENANT.upper(), TENANT),
        (f"  {TENANT}\n", TENANT),
        (f"{{{TENANT}}}", TENANT),
        (f" {{ {TENANT.upper()} }} ", TENANT),
    ],
)
def test_tenant_id_accepted(value: str, expected: str) -> None:
    assert normalize_tenant_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "not-a-uuid",
        TENANT.replace("-", ""),
        TENANT[:-1],
        TENANT + "0",
        TENANT.replace("5b", "5g", 1),
        f"{{{TENANT}",
        f"{TENANT}}}",
        f"{{{{{TENANT}}}}}",
        f"{TENANT[:8]}\n{TENANT[9:]}",
        f"{TENANT}/../x",
        # Fullwidth digits are Unicode digits but not hex digits.
        "\uff15b9c1f52-7d43-4e1a-9a64-2f0d8c3e6a11",
        f"urn:uuid:{TENANT}",
    ],
)
def test_tenant_id_rejected(value: str) -> None:
    with pytest.raises(InvalidTenantIdError, match="Invalid tenant ID"):
        normalize_tenant_id(value)


@pytest.mark.parametrize("value", [None, 123, b"abc", [TENANT]])
def test_tenant_id_wrong_type(value: object) -> None:
    with pytest.raises(InvalidTenantIdError):
        normalize_tenant_id(cast("str", value))


def test_validation_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="Invalid tenant ID"):
        normalize_tenant_id("x")
    assert issubclass(InvalidBaseUrlError, CxEngageValidationError)
    assert issubclass(InvalidStatisticError, CxEngageValidationError)
    assert issubclass(InvalidFilterError, CxEngageValidationError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://api.cxengage.net", "https://api.cxengage.net"),
        ("https://api.cxengage.net/", "https://api.cxengage.net"),
        ("  https://API.CxEngage.NET/  ", "https://api.cxengage.net"),
        ("HTTPS://api.cxengage.net", "https://api.cxengage.net"),
        ("https://api.cxengage.net/v1", "https://api.cxengage.net"),
        ("https://api.cxengage.net/v1/", "https://api.cxengage.net"),
        ("https://api.cxengage.net:443", "https://api.cxengage.net"),
        ("https://api.cxengage.net:8443/", "https://api.cxengage.net:8443"),
        ("http://127.0.0.1:8900", "http://127.0.0.1:8900"),
        ("http://127.0.0.1:8900/", "http://127.0.0.1:8900"),
        ("http://127.1.2.3", "http://127.1.2.3"),
        ("http://localhost:8900", "http://localhost:8900"),
        ("http://LOCALHOST:80", "http://localhost"),
        ("http://[::1]:8900", "http://[::1]:8900"),
        ("https://[2001:DB8::1]", "https://[2001:db8::1]"),
        ("https://10.0.0.5:9000", "https://10.0.0.5:9000"),
        ("https://bücher.example", "https://xn--bcher-kva.example"),
    ],
)
def test_base_url_accepted(value: str, expected: str) -> None:
    assert normalize_base_url(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("api.cxengage.net", "expected https://host"),
        ("//api.cxengage.net", "expected https://host"),
        ("ftp://api.cxengage.net", "expected https://host"),
        ("file:///etc/passwd", "expected https://host"),
        ("javascript:alert(1)", "expected https://host"),
        ("https://", "expected https://host"),
        ("https:///v1", "expected https://host"),
        ("http://api.cxengage.net", "use https"),
        ("http://10.0.0.5", "use https"),
        ("http://127.0.0.1.example.com", "use https"),
        ("http://localhost.example.com", "use https"),
        ("https://user:pw@api.cxengage.net", "user info"),
        ("https://api.cxengage.net@evil.example", "user info"),
        ("https://api.cxengage.net?x=1", "query"),
        ("https://api.cxengage.net/?", "query"),
        ("https://api.cxengage.net#top", "fragment"),
        ("https://api.cxengage.net/v2", "path"),
        ("https://api.cxengage.net/v1/tenants", "path"),
        ("https://api.cxengage.net/x/v1", "path"),
        ("https://api cxengage.net", "whitespace"),
        ("https://api.cxengage.net\n/v1", "whitespace"),
        ("https://api.cxengage.net\\@evil", "backslash"),
        ("https://api.cxengage.net:99999", "Port out of range"),
        ("https://api.cxengage.net:0", "port 0"),
        ("https://-api.cxengage.net", "host name"),
        ("https://api..cxengage.net", "host name"),
        ("https://api_x.cxengage.net", "host name"),
        ("https://api.cxengage.net%2F", "host name"),
        ("https://" + "a." * 127 + "net", "host name"),
    ],
)
def test_base_url_rejected(value: str, reason: str) -> None:
    with pytest.raises(InvalidBaseUrlError, match="Invalid base URL") as info:
        normalize_base_url(value)
    assert reason in str(info.value)


def test_base_url_wrong_type() -> None:
    with pytest.raises(InvalidBaseUrlError, match="expected a string"):
        normalize_base_url(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    ["queue-length", "a", "0", "service-level", "abc-123-", "a" * 128],
)
def test_statistic_name_accepted(name: str) -> None:
    assert validate_statistic_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-queue",
        "Queue-Length",
        "queue_length",
        "queue length",
        "queue-length\n",
        "../available",
        "queue/length",
        "queue%2Flength",
        "a" * 129,
        "quéue",
        None,
        7,
    ],
)
def test_statistic_name_rejected(name: object) -> None:
    with pytest.raises(InvalidStatisticError, match="Invalid statistic name"):
        validate_statistic_name(cast("str", name))


def test_query_normalises_filters() -> None:
    query = StatisticQuery(
        "queue-time",
        (
            ("direction", " Inbound "),
            ("queueId", QUEUE.upper()),
            ("channelType", "VOICE"),
        ),
    )

    assert query.filters == (
        ("channelType", "voice"),
        ("direction", "inbound"),
        ("queue-id", QUEUE),
    )
    assert query.key == (
        f"queue-time?channelType=voice&direction=inbound&queue-id={QUEUE}"
    )


def test_query_without_filters() -> None:
    query = StatisticQuery("queue-length")

    assert query.filters == ()
    assert query.key == "queue-length"
    assert query.to_json() == {"statistic": "queue-length"}


def test_query_create_with_keywords() -> None:
    query = StatisticQuery.create(
        "queue-length", queue_id=QUEUE, channel_type="sms", direction="outbound"
    )

    assert dict(query.filters) == {
        "queue-id": QUEUE,
        "channelType": "sms",
        "direction": "outbound",
    }


@pytest.mark.parametrize(
    "key", ["queue-id", "resource-id", "group-id", "skill-id", "queueId", "skill_id"]
)
def test_query_uuid_filters(key: str) -> None:
    query = StatisticQuery("queue-length", ((key, f"{{{QUEUE.upper()}}}"),))

    assert query.filters[0][1] == QUEUE
    assert query.filters[0][0].endswith("-id")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("email", "email"), ("Messaging", "messaging"), ("work-item", "work-item")],
)
def test_query_channel_type_values(value: str, expected: str) -> None:
    query = StatisticQuery.create("queue-length", channelType=value)

    assert query.filters == (("channelType", expected),)


def test_query_is_hashable_and_equal_after_normalisation() -> None:
    first = StatisticQuery.create("queue-length", queue_id=QUEUE.upper())
    second = StatisticQuery("queue-length", (("queue-id", QUEUE),))

    assert first == second
    assert hash(first) == hash(second)
    assert len({first, second}) == 1


def test_query_accepts_mapping_filters() -> None:
    query = StatisticQuery("queue-length", {"queue-id": QUEUE})  # type: ignore[arg-type]

    assert query.filters == (("queue-id", QUEUE),)


def test_query_json_round_trip() -> None:
    query = StatisticQuery.create("queue-time", queue_id=QUEUE, direction="inbound")
    data = query.to_json()

    assert data == {
        "statistic": "queue-time",
        "queue-id": QUEUE,
        "direction": "inbound",
    }
    assert StatisticQuery.from_json(data) == query
    assert StatisticQuery.from_json(json.loads(json.dumps(data))) == query


def test_query_key_round_trip() -> None:
    for query in (
        StatisticQuery("queue-length"),
        StatisticQuery.create("queue-time", queue_id=QUEUE, direction="inbound"),
    ):
        assert StatisticQuery.from_key(query.key) == query


def test_query_with_filters() -> None:
    query = StatisticQuery.create("queue-time", direction="inbound")

    changed = query.with_filters(direction="outbound", queue_id=QUEUE)

    assert changed.filters == (("direction", "outbound"), ("queue-id", QUEUE))
    assert query.filters == (("direction", "inbound"),)


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ((("queue", QUEUE),), "Unknown filter"),
        ((("generalGroup", QUEUE),), "Unknown filter"),
        ((("queue-id", "not-a-uuid"),), "expected a UUID"),
        ((("queue-id", ""),), "expected a UUID"),
        ((("queue-id", 5),), "expected a UUID"),
        ((("channelType", "fax"),), "expected one of"),
        ((("channelType", None),), "expected one of"),
        ((("direction", "sideways"),), "expected one of"),
        ((("queue-id", QUEUE), ("queueId", QUEUE.replace("01", "02"))), "Conflicting"),
        ((("queue-id",),), "(key, value) pair"),
        (("queue-id",), "(key, value) pair"),
        ("queue-id", "expected (key, value) pairs"),
        (None, "expected (key, value) pairs"),
    ],
)
def test_query_rejects_invalid_filters(filters: object, message: str) -> None:
    with pytest.raises(InvalidFilterError) as info:
        StatisticQuery("queue-length", cast("tuple[tuple[str, str], ...]", filters))
    assert message in str(info.value)


def test_query_same_filter_twice_is_accepted() -> None:
    query = StatisticQuery("queue-length", (("queue-id", QUEUE), ("queueId", QUEUE)))

    assert query.filters == (("queue-id", QUEUE),)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, InvalidStatisticError),
        ({"statistic": None}, InvalidStatisticError),
        ({"statistic": "Queue Length"}, InvalidStatisticError),
        ({"statistic": "queue-length", "queue-id": 5}, InvalidFilterError),
        ({"statistic": "queue-length", "colour": "red"}, InvalidFilterError),
        (["queue-length"], InvalidStatisticError),
        ("queue-length", InvalidStatisticError),
        (None, InvalidStatisticError),
    ],
)
def test_query_from_json_rejects(data: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        StatisticQuery.from_json(cast("dict[str, Any]", data))


@pytest.mark.parametrize(
    ("key", "error"),
    [
        ("", InvalidStatisticError),
        ("queue-length?queue-id", InvalidFilterError),
        ("queue-length?queue-id=x", InvalidFilterError),
        ("queue-length?", InvalidFilterError),
        ("queue-length?&", InvalidFilterError),
        (None, InvalidStatisticError),
    ],
)
def test_query_from_key_rejects(key: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        StatisticQuery.from_key(cast("str", key))
