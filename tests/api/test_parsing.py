# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Tests of the pure response parsers."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.cxengage.api import (
    AgentInfo,
    CountResult,
    CxEngageInvalidResponseError,
    ItemError,
    ListResult,
    PercentageResult,
    QueueInfo,
    StatisticDefinition,
    StatisticResult,
    TimeResult,
)
from custom_components.cxengage.api.parsing import (
    decode_json,
    parse_available,
    parse_batch,
    parse_queues,
    parse_retry_after,
    parse_statistic,
    parse_token,
    parse_users,
    status_reason,
)

QUEUE = "7c1e0a52-9b3d-4f6e-a1c2-3d4e5f6a7b01"
AGENT = "a3d5f7b9-1c2e-4a6b-8d0f-2e4a6c8e0a01"
WINDOW = {"start": "2017-07-11T03:00:00Z", "end": "2017-07-12T02:59:59Z"}


def _body(**results: object) -> dict[str, Any]:
    return {"results": results, "queryTime": 20}


STATISTIC_CASES: list[tuple[str, object, StatisticResult]] = [
    # Documented shapes.
    (
        "count",
        _body(count=52, unit="count", queryWindow=WINDOW),
        CountResult(count=52),
    ),
    (
        "time",
        _body(
            count=6,
            min=44457,
            max=1289929,
            total=1632799,
            avg=272133,
            unit="millis",
            queryWindow=WINDOW,
        ),
        TimeResult(count=6, min=44457.0, max=1289929.0, total=1632799.0, avg=272133.0),
    ),
    (
        "percentage",
        _body(percent=13.32, unit="percentage", queryWindow=WINDOW),
        PercentageResult(percent=13.32),
    ),
    # Numbers as JSON strings.
    ("count string", _body(count="52", unit="count"), CountResult(count=52)),
    (
        "time strings",
        _body(count="6", min="1.5", max="2e3", total=" 10 ", avg="3", unit="millis"),
        TimeResult(count=6, min=1.5, max=2000.0, total=10.0, avg=3.0),
    ),
    (
        "percentage string",
        _body(percent="13.32", unit="percentage"),
        PercentageResult(percent=13.32),
    ),
    # Unknown values become None.
    ("count null", _body(count=None, unit="count"), CountResult(count=None)),
    ("count missing", _body(unit="count"), CountResult(count=None)),
    ("count negative", _body(count=-1, unit="count"), CountResult(count=None)),
    ("count negative string", _body(count="-4", unit="count"), CountResult(None)),
    ("count bool", _body(count=True, unit="count"), CountResult(count=None)),
    ("count text", _body(count="many", unit="count"), CountResult(count=None)),
    ("count nan text", _body(count="NaN", unit="count"), CountResult(count=None)),
    ("count inf text", _body(count="Infinity", unit="count"), CountResult(None)),
    ("count object", _body(count={"n": 1}, unit="count"), CountResult(count=None)),
    ("count huge float", _body(count=1e400, unit="count"), CountResult(count=None)),
    ("count long string", _body(count="9" * 65, unit="count"), CountResult(None)),
    ("count underscore", _body(count="1_000", unit="count"), CountResult(None)),
    # Fractional counts round half up.
    ("count float", _body(count=3.0, unit="count"), CountResult(count=3)),
    ("count half", _body(count=3.5, unit="count"), CountResult(count=4)),
    ("count below half", _body(count=2.49, unit="count"), CountResult(count=2)),
    ("count float string", _body(count="2.5", unit="count"), CountResult(count=3)),
    ("count negative zero", _body(count=-0.0, unit="count"), CountResult(count=0)),
    ("count big int", _body(count=10**30, unit="count"), CountResult(count=10**30)),
    (
        "time negative and bool",
        _body(count=2, min=-5, max=True, total=None, avg="x", unit="millis"),
        TimeResult(count=2, min=None, max=None, total=None, avg=None),
    ),
    (
        "time huge int",
        _body(avg=10**400, unit="millis"),
        TimeResult(count=None, min=None, max=None, total=None, avg=None),
    ),
    ("percent negative", _body(percent=-3, unit="percentage"), PercentageResult(None)),
    ("percent null", _body(percent=None, unit="percentage"), PercentageResult(None)),
    ("percent above 100", _body(percent=120.5), PercentageResult(percent=120.5)),
    # Unit missing or unknown: the keys decide.
    ("no unit percent", _body(percent=50), PercentageResult(percent=50.0)),
    (
        "no unit avg",
        _body(avg=100, count=1),
        TimeResult(count=1, min=None, max=None, total=None, avg=100.0),
    ),
    (
        "unknown unit max",
        _body(max="7", unit="seconds"),
        TimeResult(count=None, min=None, max=7.0, total=None, avg=None),
    ),
    ("no unit count", _body(count=4), CountResult(count=4)),
    ("unit not a string", _body(count=4, unit=5), CountResult(count=4)),
    ("unit upper case", _body(count=4, unit=" COUNT "), CountResult(count=4)),
    (
        "unit count extra percent",
        _body(count=4, percent=9, unit="count"),
        CountResult(4),
    ),
    # Extra fields are ignored.
    (
        "extra fields",
        {"results": {"count": 1, "unit": "count", "new": [1]}, "extra": {"a": 1}},
        CountResult(count=1),
    ),
    # Lists.
    (
        "list interactions",
        _body(interactions=[{"interactionId": "i1"}, {"interactionId": "i2"}]),
        ListResult(
            rows=({"interactionId": "i1"}, {"interactionId": "i2"}), key="interactions"
        ),
    ),
    (
        "list details with unit",
        _body(details=[{"queueName": "Sales"}], unit="count", count=3),
        ListResult(rows=({"queueName": "Sales"},), key="details"),
    ),
    (
        "list resource capacity",
        _body(resourceCapacity=[], queryWindow=WINDOW),
        ListResult(rows=(), key="resourceCapacity"),
    ),
    (
        "list unknown key",
        _body(json=[{"agentName": "Alice"}, "junk", 3, None]),
        ListResult(rows=({"agentName": "Alice"},), key="json"),
    ),
    (
        "list known key wins",
        _body(other=[{"a": 1}], interactions=[{"b": 2}]),
        ListResult(rows=({"b": 2},), key="interactions"),
    ),
]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(payload, expected, id=name)
        for name, payload, expected in STATISTIC_CASES
    ],
)
def test_parse_statistic(payload: object, expected: StatisticResult) -> None:
    result = parse_statistic(payload)

    assert result == expected
    assert type(result) is type(expected)


def test_parse_statistic_count_is_int() -> None:
    result = parse_statistic(_body(count=3.0, unit="count"))

    assert isinstance(result, CountResult)
    assert type(result.count) is int


def test_parse_statistic_list_rows_are_read_only() -> None:
    result = parse_statistic(_body(interactions=[{"interactionId": "i1"}]))

    assert isinstance(result, ListResult)
    with pytest.raises(TypeError):
        result.rows[0]["interactionId"] = "changed"  # type: ignore[index]


def test_parse_statistic_nan_literals() -> None:
    payload = decode_json(
        b'{"results": {"count": NaN, "min": Infinity, "max": -Infinity,'
        b' "avg": 5, "unit": "millis"}}'
    )

    assert parse_statistic(payload) == TimeResult(
        count=None, min=None, max=None, total=None, avg=5.0
    )


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        "results",
        42,
        {},
        {"results": None},
        {"results": []},
        {"results": "count"},
        {"result": {"count": 1}},
        {"results": {}},
        {"results": {"unit": "kelvin", "value": 3}},
        {"results": {"queryWindow": WINDOW}},
    ],
)
def test_parse_statistic_rejects(payload: object) -> None:
    with pytest.raises(CxEngageInvalidResponseError):
        parse_statistic(payload)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"<html><body>502 Bad Gateway</body></html>",
        b'{"results": {"count": 1}',
        b"\xff\xfe\xfa",
        b"[" * 100_000,
        b"1" * 5000,
        b"{'single': 'quotes'}",
    ],
)
def test_decode_json_rejects(body: bytes) -> None:
    with pytest.raises(CxEngageInvalidResponseError, match=r"not valid JSON|nested"):
        decode_json(body)


def test_decode_json_constants() -> None:
    assert decode_json(b"[NaN, Infinity, -Infinity, 1.5]") == [None, None, None, 1.5]


CAMEL_CATALOGUE = {
    "queue-length": {
        "name": "queue-length",
        "type": "interaction-count",
        "userFriendlyName": " Queue  Length ",
        "optionalFilters": ["queue-id", "queueId", "generalGroup", 5, ""],
        "responseKeys": {"count": "count"},
    },
    "queue-time": {
        "name": "queue-time",
        "userFriendlyName": "",
        "optionalFilters": [],
        "responseKeys": ["count", "avg", "max", "avg"],
    },
}
KEBAB_CATALOGUE = {
    "queue-length": {
        "name": "queue-length",
        "type": "interaction-count",
        "user-friendly-name": " Queue  Length ",
        "optional-filters": ["queue-id", "queueId", "generalGroup", 5, ""],
        "response-keys": {"count": "count"},
    },
    "queue-time": {
        "name": "queue-time",
        "user-friendly-name": None,
        "optional-filters": None,
        "response-keys": ["count", "avg", "max", "avg"],
    },
}
EXPECTED_CATALOGUE = {
    "queue-length": StatisticDefinition(
        name="queue-length",
        label="Queue Length",
        optional_filters=("queue-id", "generalGroup"),
        response_keys=("count",),
        type="interaction-count",
    ),
    "queue-time": StatisticDefinition(
        name="queue-time",
        label="queue-time",
        optional_filters=(),
        response_keys=("count", "avg", "max"),
        type=None,
    ),
}


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(CAMEL_CATALOGUE, id="camel"),
        pytest.param(KEBAB_CATALOGUE, id="kebab"),
        pytest.param({"result": CAMEL_CATALOGUE}, id="wrapped result"),
        pytest.param({"results": KEBAB_CATALOGUE}, id="wrapped results"),
        pytest.param({"results": list(CAMEL_CATALOGUE.values())}, id="wrapped list"),
    ],
)
def test_parse_available(payload: object) -> None:
    assert parse_available(payload) == EXPECTED_CATALOGUE


def test_parse_available_skips_invalid_entries(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    payload = {
        "Bad Name": {"name": "Bad Name"},
        "../x": {},
        "not-an-object": ["queue-id"],
        "name-from-key": {"userFriendlyName": "From Key"},
        "wrong-name-type": {"name": 5, "type": ""},
    }

    catalogue = parse_available(payload)

    assert sorted(catalogue) == ["name-from-key", "wrong-name-type"]
    assert catalogue["name-from-key"].label == "From Key"
    assert catalogue["wrong-name-type"].type is None
    assert "Skipped catalogue entry" in caplog.text


@pytest.mark.parametrize("payload", [None, [], "x", 1, [{"name": "queue-length"}]])
def test_parse_available_rejects(payload: object) -> None:
    with pytest.raises(CxEngageInvalidResponseError, match="expected an object"):
        parse_available(payload)


def test_parse_batch_items() -> None:
    count = _body(count=3, unit="count")
    payload = {
        "results": {
            "0": {"status": 200, "body": count},
            "1": {"status": 404},
            "2": {"status": 400, "body": {"error": {"message": "bad filter"}}},
            "3": {"status": 200, "body": {"error": "no results"}},
            "4": {"status": "200", "body": count},
            "5": "not an object",
            "6": {"body": count},
            "7": {"status": "abc", "body": count},
            "8": {"status": 500},
            "9": {"status": 204},
            "10": {"status": 999, "body": count},
            "extra": {"status": 200, "body": count},
        }
    }
    ids = [str(index) for index in range(12)]

    parsed = parse_batch(payload, ids)

    assert list(parsed) == ids
    assert parsed["0"] == CountResult(count=3)
    assert parsed["1"] == ItemError(status=404, reason="not_found")
    assert parsed["2"] == ItemError(status=400, reason="bad_request")
    assert parsed["3"] == ItemError(status=200, reason="invalid_response")
    assert parsed["4"] == CountResult(count=3)
    assert parsed["5"] == ItemError(status=None, reason="invalid_response")
    assert parsed["6"] == CountResult(count=3)
    assert parsed["7"] == ItemError(status=None, reason="invalid_response")
    assert parsed["8"] == ItemError(status=500, reason="internal_server_error")
    assert parsed["9"] == ItemError(status=204, reason="invalid_response")
    assert parsed["10"] == ItemError(status=None, reason="invalid_response")
    assert parsed["11"] == ItemError(status=None, reason="missing")


@pytest.mark.parametrize(
    "payload", [None, [], {}, {"results": []}, {"results": None}, {"result": {}}]
)
def test_parse_batch_rejects(payload: object) -> None:
    with pytest.raises(CxEngageInvalidResponseError, match="Batch response"):
        parse_batch(payload, ["0"])


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (400, "bad_request"),
        (404, "not_found"),
        (418, "im_a_teapot"),
        (429, "too_many_requests"),
        (503, "service_unavailable"),
        (599, "http_599"),
    ],
)
def test_status_reason(status: int, reason: str) -> None:
    assert status_reason(status) == reason


def test_parse_queues() -> None:
    payload = {
        "result": [
            {"id": QUEUE.upper(), "name": " Sales ", "active": True, "extra": 1},
            {"id": QUEUE.replace("01", "02"), "name": "Old", "active": False},
            {"id": QUEUE.replace("01", "03"), "active": "false"},
            {"id": QUEUE.replace("01", "04"), "name": "", "active": None},
            {"id": "not-a-uuid", "name": "Broken"},
            {"name": "No id"},
            "junk",
            None,
        ]
    }

    assert parse_queues(payload) == [
        QueueInfo(id=QUEUE, name="Sales", active=True),
        QueueInfo(id=QUEUE.replace("01", "02"), name="Old", active=False),
        QueueInfo(
            id=QUEUE.replace("01", "03"), name=QUEUE.replace("01", "03"), active=False
        ),
        QueueInfo(
            id=QUEUE.replace("01", "04"), name=QUEUE.replace("01", "04"), active=True
        ),
    ]


def test_parse_users() -> None:
    payload = {
        "result": [
            {
                "id": AGENT,
                "firstName": "Chloé",
                "lastName": "Dubois",
                "email": "c@x.io",
            },
            {"id": AGENT.replace("01", "02"), "firstName": "Solo", "lastName": None},
            {
                "id": AGENT.replace("01", "03"),
                "firstName": " ",
                "lastName": "",
                "email": "e@x.io",
            },
            {"id": AGENT.replace("01", "04"), "email": "only@example.com"},
            {"id": 5, "firstName": "Broken"},
            [],
        ]
    }

    agents = parse_users(payload)

    assert agents == [
        AgentInfo(id=AGENT, name="Chloé Dubois"),
        AgentInfo(id=AGENT.replace("01", "02"), name="Solo"),
        AgentInfo(id=AGENT.replace("01", "03"), name=AGENT.replace("01", "03")),
        AgentInfo(id=AGENT.replace("01", "04"), name=AGENT.replace("01", "04")),
    ]
    assert all("@" not in agent.name for agent in agents)


@pytest.mark.parametrize(
    "payload", [None, [], {}, {"result": {}}, {"results": []}, {"result": None}]
)
def test_parse_lists_reject(payload: object) -> None:
    with pytest.raises(CxEngageInvalidResponseError, match="'result' array"):
        parse_queues(payload)
    with pytest.raises(CxEngageInvalidResponseError, match="'result' array"):
        parse_users(payload)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"token": "a.b.c", "ttl": 86400}, ("a.b.c", 86400.0)),
        ({"token": "a.b.c", "ttl": "3600"}, ("a.b.c", 3600.0)),
        ({"token": "a.b.c"}, ("a.b.c", None)),
        ({"token": "a.b.c", "ttl": 0}, ("a.b.c", None)),
        ({"token": "a.b.c", "ttl": -5}, ("a.b.c", None)),
        ({"token": "a.b.c", "ttl": True}, ("a.b.c", None)),
    ],
)
def test_parse_token(payload: object, expected: tuple[str, float | None]) -> None:
    assert parse_token(payload) == expected


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [],
        {},
        {"token": ""},
        {"token": 5},
        {"token": "a b"},
        {"token": "abc\r\nX-Injected: 1"},
        {"token": "tökén"},
    ],
)
def test_parse_token_rejects(payload: object) -> None:
    with pytest.raises(CxEngageInvalidResponseError, match="Token response"):
        parse_token(payload)


NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("5", 5.0),
        (" 120 ", 120.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("-5", 0.0),
        ("Tue, 14 Nov 2023 22:13:50 GMT", 30.0),
        ("Tue, 14 Nov 2023 22:13:50 +0000", 30.0),
        ("Tue, 14 Nov 2023 22:13:50 -0000", 30.0),
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),
        ("", None),
        ("soon", None),
        ("5 seconds", None),
        ("Tue, 99 Nov 2023 22:13:50 GMT", None),
        ("9" * 100, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["52", "13.32", "-1", "NaN", "count", "millis", "percentage"]),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "results",
                    "result",
                    "unit",
                    "count",
                    "min",
                    "max",
                    "avg",
                    "total",
                    "percent",
                    "interactions",
                    "details",
                    "status",
                    "body",
                    "token",
                    "ttl",
                    "id",
                    "name",
                    "active",
                    "firstName",
                    "userFriendlyName",
                    "optional-filters",
                    "responseKeys",
                    "0",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


def _parse_all(payload: object) -> None:
    parsers = (
        parse_statistic,
        parse_available,
        parse_queues,
        parse_users,
        parse_token,
        lambda data: parse_batch(data, ["0", "1"]),
    )
    for parser in parsers:
        with contextlib.suppress(CxEngageInvalidResponseError):
            parser(payload)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES)
def test_parsers_raise_only_invalid_response(payload: object) -> None:
    _parse_all(payload)
    _parse_all({"results": payload})
    _parse_all({"results": {"0": {"status": 200, "body": payload}}})


@settings(max_examples=200, deadline=None)
@given(
    st.binary(max_size=200) | JSON_VALUES.map(lambda value: json.dumps(value).encode())
)
def test_decode_json_raises_only_invalid_response(body: bytes) -> None:
    try:
        payload = decode_json(body)
    except CxEngageInvalidResponseError:
        return
    _parse_all(payload)
