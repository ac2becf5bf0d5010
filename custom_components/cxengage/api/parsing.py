# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Pure functions that turn CxEngage JSON responses into models.

Every parse_* function accepts any decoded JSON value and raises nothing but
CxEngageInvalidResponseError.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime
from http import HTTPStatus
import json
import logging
import math
import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from .const import FILTER_KEY_ALIASES, LIST_RESULT_KEYS
from .exceptions import CxEngageInvalidResponseError, InvalidStatisticError
from .models import (
    AgentInfo,
    CountResult,
    ItemError,
    ListResult,
    PercentageResult,
    QueueInfo,
    StatisticDefinition,
    StatisticResult,
    TimeResult,
)
from .validation import normalize_uuid, validate_statistic_name

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_LOGGER = logging.getLogger(__name__)

# JSON number syntax, with leading zeros allowed. Longer strings are not numbers here.
_NUMBER_RE: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_INTEGER_RE: Final = re.compile(r"-?[0-9]+")
_MAX_NUMBER_LENGTH: Final = 64
_TOKEN_RE: Final = re.compile(r"[\x21-\x7e]+")
_WHITESPACE_RE: Final = re.compile(r"\s+")

_UNIT_KINDS: Final = {
    "count": CountResult,
    "millis": TimeResult,
    "percentage": PercentageResult,
}
_TIME_KEYS: Final = ("avg", "min", "max", "total")


def decode_json(body: bytes) -> object:
    """Decode a response body as JSON, reading NaN and ±Infinity literals as None.

    Raises:
        CxEngageInvalidResponseError: the body is empty, not JSON, or nested too deeply.
    """
    try:
        return json.loads(body, parse_constant=lambda _literal: None)
    except ValueError as err:
        # JSONDecodeError and UnicodeDecodeError are ValueErrors, and so is the error
        # for an integer literal longer than Python's int max_str_digits (4300).
        msg = f"Response body is not valid JSON: {err}"
        raise CxEngageInvalidResponseError(msg) from err
    except RecursionError as err:
        msg = "Response body is JSON nested too deeply to decode"
        raise CxEngageInvalidResponseError(msg) from err


def _as_number(value: object) -> float | None:
    """Return a finite, non-negative number, or None for anything else.

    Numbers may arrive as JSON strings, such as "52" or "13.32".
    """
    if isinstance(value, bool):
        return None

    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_NUMBER_LENGTH or _NUMBER_RE.fullmatch(text) is None:
            return None
        value = float(text)

    if isinstance(value, int):
        try:
            value = float(value)
        except OverflowError:
            return None

    if not isinstance(value, float) or not math.isfinite(value) or value < 0:
        return None
    return value


def _as_count(value: object) -> int | None:
    """Return a non-negative integer, or None for anything else.

    A fractional count is rounded to the nearest integer, halves upward (3.5 -> 4).
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip()) is not None:
        text = value.strip()
        if len(text) > _MAX_NUMBER_LENGTH or text.startswith("-"):
            return None
        return int(text)

    number = _as_number(value)
    if number is None:
        return None
    return math.floor(number + 0.5)


def _require_results(payload: object) -> dict[str, Any]:
    if not isinstance(payload, dict):
        msg = f"Statistic response is a JSON {_json_type(payload)}, expected an object"
        raise CxEngageInvalidResponseError(msg)

    results = payload.get("results")
    if not isinstance(results, dict):
        msg = "Statistic response has no 'results' object"
        raise CxEngageInvalidResponseError(msg)
    return results


def _json_type(value: object) -> str:
    names = {dict: "object", list: "array", str: "string", bool: "boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "number")


def _find_list_key(results: Mapping[str, Any]) -> str | None:
    """Return the key of the rows of a list statistic, or None if there is none.

    A known key (interactions, details, resourceCapacity) wins, else the first key
    whose value is an array.
    """
    for key in LIST_RESULT_KEYS:
        if isinstance(results.get(key), list):
            return key
    for key, value in results.items():
        if isinstance(value, list):
            return str(key)
    return None


def _parse_list(results: Mapping[str, Any], key: str) -> ListResult:
    rows = results[key]
    parsed = tuple(MappingProxyType(row) for row in rows if isinstance(row, dict))
    if len(parsed) != len(rows):
        _LOGGER.debug(
            "Skipped %d rows of '%s' that are not objects", len(rows) - len(parsed), key
        )
    return ListResult(rows=parsed, key=key)


def _infer_kind(
    results: Mapping[str, Any], list_key: str | None
) -> type[StatisticResult] | None:
    """Guess the result kind from the keys, for a missing or unknown unit."""
    if "percent" in results:
        return PercentageResult
    if any(key in results for key in _TIME_KEYS):
        return TimeResult
    if list_key is not None:
        return ListResult
    if "count" in results:
        return CountResult
    return None


def parse_statistic(payload: object) -> StatisticResult:
    """Parse the response of a single statistic (or the body of a batch item).

    The kind comes from `results.unit` ("count", "millis", "percentage"). Rows under
    interactions, details or resourceCapacity make a list result whatever the unit.
    For a missing or unknown unit the keys decide: percent, then avg/min/max/total,
    then an array value, then count. A value that is null, NaN, infinite, boolean,
    negative or a non-numeric string becomes None.

    Raises:
        CxEngageInvalidResponseError: no `results` object, or no known value in it.
    """
    results = _require_results(payload)
    list_key = _find_list_key(results)
    if list_key in LIST_RESULT_KEYS:
        return _parse_list(results, list_key)

    unit = results.get("unit")
    kind = _UNIT_KINDS.get(unit.strip().lower()) if isinstance(unit, str) else None
    if kind is None:
        kind = _infer_kind(results, list_key)

    if kind is ListResult and list_key is not None:
        return _parse_list(results, list_key)
    if kind is TimeResult:
        return TimeResult(
            count=_as_count(results.get("count")),
            min=_as_number(results.get("min")),
            max=_as_number(results.get("max")),
            total=_as_number(results.get("total")),
            avg=_as_number(results.get("avg")),
        )
    if kind is PercentageResult:
        return PercentageResult(percent=_as_number(results.get("percent")))
    if kind is CountResult:
        return CountResult(count=_as_count(results.get("count")))

    msg = "Statistic response has no unit and no known value (count, avg, percent, ...)"
    raise CxEngageInvalidResponseError(msg)


def status_reason(status: int) -> str:
    """Return a short code for an HTTP status, e.g. 404 -> "not_found"."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        return f"http_{status}"
    return re.sub(r"[^a-z0-9]+", "_", phrase.lower().replace("'", "")).strip("_")


def _as_status(value: object) -> int | None:
    status = _as_count(value)
    if status is None or not 100 <= status <= 599:  # noqa: PLR2004
        return None
    return status


def _parse_batch_item(item: object) -> StatisticResult | ItemError:
    if not isinstance(item, dict):
        return ItemError(status=None, reason="invalid_response")

    status = _as_status(item.get("status"))
    if status is None and "status" in item:
        return ItemError(status=None, reason="invalid_response")
    if status is not None and not 200 <= status <= 299:  # noqa: PLR2004
        return ItemError(status=status, reason=status_reason(status))

    # A 2xx item, or one without a status, whose body should be a statistic response.
    try:
        return parse_statistic(item.get("body"))
    except CxEngageInvalidResponseError as err:
        _LOGGER.debug("Invalid batch item body: %s", err)
        return ItemError(status=status, reason="invalid_response")


def parse_batch(
    payload: object, request_ids: Iterable[str]
) -> dict[str, StatisticResult | ItemError]:
    """Parse a batch response into one result or ItemError per request id.

    Each item keeps its own status: a 2xx item with a usable body becomes a result,
    a 2xx item with an unusable body ItemError(status, "invalid_response"), another
    status ItemError(status, <reason>) and an absent item ItemError(None, "missing").

    Raises:
        CxEngageInvalidResponseError: the response has no `results` object.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), dict):
        msg = "Batch response has no 'results' object"
        raise CxEngageInvalidResponseError(msg)

    results: dict[str, Any] = payload["results"]
    parsed: dict[str, StatisticResult | ItemError] = {}
    for request_id in request_ids:
        if request_id not in results:
            parsed[request_id] = ItemError(status=None, reason="missing")
        else:
            parsed[request_id] = _parse_batch_item(results[request_id])
    return parsed


def _field(entry: Mapping[str, Any], *names: str) -> object:
    """Return the first of the given fields that is present, else None."""
    for name in names:
        if name in entry:
            return entry[name]
    return None


def _tidy_label(value: object, fallback: str) -> str:
    if not isinstance(value, str):
        return fallback
    label = _WHITESPACE_RE.sub(" ", value).strip()
    return label or fallback


def _string_items(value: object) -> Iterable[str]:
    """Yield the strings of an array, or the keys of an object."""
    if isinstance(value, dict | list):
        for item in value:
            if isinstance(item, str) and item.strip():
                yield item.strip()


def _parse_definition(key: object, entry: object) -> StatisticDefinition | None:
    if not isinstance(entry, dict):
        _LOGGER.debug("Skipped catalogue entry %r: not an object", key)
        return None

    name = entry.get("name")
    if not isinstance(name, str):
        name = key if isinstance(key, str) else ""
    try:
        validate_statistic_name(name)
    except InvalidStatisticError:
        _LOGGER.debug("Skipped catalogue entry %r: invalid statistic name", key)
        return None

    label = _field(
        entry, "userFriendlyName", "user-friendly-name", "user_friendly_name"
    )
    filters = _field(entry, "optionalFilters", "optional-filters", "optional_filters")
    response_keys = _field(entry, "responseKeys", "response-keys", "response_keys")
    statistic_type = entry.get("type")
    if not isinstance(statistic_type, str) or not statistic_type.strip():
        statistic_type = None

    return StatisticDefinition(
        name=name,
        label=_tidy_label(label, name),
        optional_filters=tuple(
            dict.fromkeys(
                FILTER_KEY_ALIASES.get(item, item) for item in _string_items(filters)
            )
        ),
        response_keys=tuple(dict.fromkeys(_string_items(response_keys))),
        type=statistic_type.strip() if statistic_type else None,
    )


def parse_available(payload: object) -> dict[str, StatisticDefinition]:
    """Parse the statistic catalogue, an object keyed by statistic name.

    Field names may be camelCase (userFriendlyName, optionalFilters, responseKeys) or
    kebab-case (user-friendly-name, ...). A catalogue wrapped as {"result": {...}} or
    {"results": {...}} is unwrapped. Entries with an invalid name are skipped.

    Raises:
        CxEngageInvalidResponseError: the top level is not an object.
    """
    if not isinstance(payload, dict):
        msg = f"Statistic catalogue is a JSON {_json_type(payload)}, expected an object"
        raise CxEngageInvalidResponseError(msg)

    if len(payload) == 1:
        wrapper_key, inner = next(iter(payload.items()))
        if wrapper_key in {"result", "results"} and isinstance(inner, dict | list):
            payload = inner

    entries: Iterable[tuple[object, object]]
    if isinstance(payload, list):
        entries = ((None, entry) for entry in payload)
    else:
        entries = payload.items()

    catalogue: dict[str, StatisticDefinition] = {}
    for key, entry in entries:
        definition = _parse_definition(key, entry)
        if definition is not None:
            catalogue[definition.name] = definition
    return catalogue


def _result_rows(payload: object, what: str) -> list[dict[str, Any]]:
    if not isinstance(payload, dict) or not isinstance(payload.get("result"), list):
        msg = f"The {what} response has no 'result' array"
        raise CxEngageInvalidResponseError(msg)

    rows: list[object] = payload["result"]
    return [row for row in rows if isinstance(row, dict)]


def _as_bool(value: object, *, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return default


def parse_queues(payload: object) -> list[QueueInfo]:
    """Parse GET /queues. Rows without a UUID id are skipped. `active` defaults to True.

    Raises:
        CxEngageInvalidResponseError: the response has no `result` array.
    """
    queues: list[QueueInfo] = []
    skipped = 0
    for row in _result_rows(payload, "queue list"):
        queue_id = normalize_uuid(row.get("id"))
        if queue_id is None:
            skipped += 1
            continue
        name = row.get("name")
        queues.append(
            QueueInfo(
                id=queue_id,
                name=_tidy_label(name, queue_id),
                active=_as_bool(row.get("active"), default=True),
            )
        )
    if skipped:
        _LOGGER.debug("Skipped %d queue rows without a valid id", skipped)
    return queues


def parse_users(payload: object) -> list[AgentInfo]:
    """Parse GET /users. The name is "First Last", or the id when both are empty.

    Rows without a UUID id are skipped. E-mail addresses are never used.

    Raises:
        CxEngageInvalidResponseError: the response has no `result` array.
    """
    agents: list[AgentInfo] = []
    skipped = 0
    for row in _result_rows(payload, "user list"):
        user_id = normalize_uuid(row.get("id"))
        if user_id is None:
            skipped += 1
            continue
        parts = (row.get("firstName"), row.get("lastName"))
        name = " ".join(part for part in parts if isinstance(part, str))
        agents.append(AgentInfo(id=user_id, name=_tidy_label(name, user_id)))
    if skipped:
        _LOGGER.debug("Skipped %d user rows without a valid id", skipped)
    return agents


def parse_token(payload: object) -> tuple[str, float | None]:
    """Parse the response of POST /v1/tokens into (token, ttl in seconds or None).

    Raises:
        CxEngageInvalidResponseError: there is no token of visible ASCII characters.
    """
    if not isinstance(payload, dict):
        msg = f"Token response is a JSON {_json_type(payload)}, expected an object"
        raise CxEngageInvalidResponseError(msg)

    token = payload.get("token")
    # The token goes into a header, so reject anything that could split or end it.
    if not isinstance(token, str) or _TOKEN_RE.fullmatch(token) is None:
        msg = "Token response has no valid 'token'"
        raise CxEngageInvalidResponseError(msg)

    ttl = _as_number(payload.get("ttl"))
    return token, ttl or None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Return the Retry-After delay in seconds (>= 0), or None if absent or invalid.

    The header is either delta-seconds ("120") or an HTTP date, which is compared
    with `now` (seconds since the epoch).
    """
    if value is None:
        return None

    text = value.strip()
    if _NUMBER_RE.fullmatch(text) is not None and len(text) <= _MAX_NUMBER_LENGTH:
        seconds = float(text)
        return max(seconds, 0.0) if math.isfinite(seconds) else None

    try:
        moment = parsedate_to_datetime(text)
    except TypeError, ValueError, IndexError, OverflowError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment.timestamp() - now, 0.0)
