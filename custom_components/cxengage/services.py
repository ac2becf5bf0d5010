"""The `cxengage.get_statistic` action: read one statistic on demand."""

from __future__ import annotations

from collections.abc import Mapping
import math
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CONFIG_ENTRY_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import ConfigEntrySelector
from homeassistant.util.json import JsonValueType

from .api import (
    CountResult,
    CxEngageAuthenticationError,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    InvalidFilterError,
    InvalidStatisticError,
    ListResult,
    PercentageResult,
    StatisticQuery,
    StatisticResult,
    TimeResult,
)
from .api.validation import normalize_filter, validate_statistic_name
from .const import DOMAIN, LOGGER
from .coordinator import CxEngageConfigEntry

if TYPE_CHECKING:
    # Home Assistant 2026.10 replaced voluptuous with the compatible probatio and
    # aliases `voluptuous` to it at import time; type against what runs.
    import probatio as vol
else:
    import voluptuous as vol

SERVICE_GET_STATISTIC: Final = "get_statistic"
ATTR_STATISTIC: Final = "statistic"
ATTR_QUEUE_ID: Final = "queue_id"
ATTR_AGENT_ID: Final = "agent_id"

# The action's optional fields and the API filters they set. CxEngage calls agents
# "resources".
FILTER_FIELDS: Final = {ATTR_QUEUE_ID: "queue-id", ATTR_AGENT_ID: "resource-id"}

# Values are checked in the handler, not here, so that an invalid name or UUID
# raises ServiceValidationError with a translated message.
GET_STATISTIC_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector(
            {"integration": DOMAIN}
        ),
        vol.Required(ATTR_STATISTIC): cv.string,
        vol.Optional(ATTR_QUEUE_ID): cv.string,
        vol.Optional(ATTR_AGENT_ID): cv.string,
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's actions. Call once, from `async_setup`."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_STATISTIC,
        _async_get_statistic,
        schema=GET_STATISTIC_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )


def result_as_dict(result: StatisticResult) -> dict[str, JsonValueType]:
    """Convert a parsed statistic to JSON types, with its kind and main value.

    The main value is what the statistic's sensor shows: the count, the average
    time in milliseconds, the percentage, or the number of rows of a list.
    """
    match result:
        case CountResult():
            return {"kind": "count", "value": result.count, "count": result.count}
        case TimeResult():
            return {
                "kind": "time",
                "value": result.avg,
                "count": result.count,
                "min": result.min,
                "max": result.max,
                "total": result.total,
                "avg": result.avg,
            }
        case PercentageResult():
            return {
                "kind": "percentage",
                "value": result.percent,
                "percent": result.percent,
            }
        case ListResult():
            return {
                "kind": "list",
                "value": len(result.rows),
                "row_count": len(result.rows),
                "rows_key": result.key,
                "rows": [_json_copy(row) for row in result.rows],
            }


def _json_copy(value: object) -> JsonValueType:
    """Copy a decoded JSON value, turning read-only mappings into plain dicts."""
    if isinstance(value, Mapping):
        return {str(key): _json_copy(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_copy(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    # json.loads creates no other types, so this only guards against a parser change.
    return str(value)


async def _async_get_statistic(call: ServiceCall) -> ServiceResponse:
    """Fetch one statistic with a single request and return it as a dict."""
    entry = _loaded_entry(call.hass, call.data[ATTR_CONFIG_ENTRY_ID])
    query = _query_from_call(call.data)

    try:
        result = await entry.runtime_data.client.get_statistic(query)
    except CxEngageError as err:
        LOGGER.debug(
            "Action %s for %s of tenant %s failed: %s",
            SERVICE_GET_STATISTIC,
            query.key,
            entry.runtime_data.tenant_id,
            err,
        )
        raise _action_error(err, query, entry.runtime_data.tenant_id) from err

    return {
        "statistic": query.statistic,
        "filters": dict(query.filters),
        **result_as_dict(result),
    }


def _loaded_entry(hass: HomeAssistant, entry_id: str) -> CxEngageConfigEntry:
    """Return the loaded CxEngage entry with this id.

    Raises:
        ServiceValidationError: no such entry, another integration's entry, or an
            entry that is not loaded.
    """
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="config_entry_not_found",
            translation_placeholders={"entry_id": entry_id},
        )
    if entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="config_entry_wrong_domain",
            translation_placeholders={"entry_title": entry.title},
        )
    if entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="config_entry_not_loaded",
            translation_placeholders={"entry_title": entry.title},
        )
    loaded: CxEngageConfigEntry = entry
    return loaded


def _query_from_call(data: Mapping[str, Any]) -> StatisticQuery:
    """Build the query from the action's fields. A blank ID field counts as unset.

    Raises:
        ServiceValidationError: the statistic name or an ID is invalid.
    """
    statistic: str = data[ATTR_STATISTIC].strip()
    try:
        validate_statistic_name(statistic)
    except InvalidStatisticError as err:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_statistic",
            translation_placeholders={"statistic": statistic},
        ) from err

    filters: list[tuple[str, str]] = []
    for field, filter_key in FILTER_FIELDS.items():
        value: str = data.get(field, "").strip()
        if not value:
            continue
        try:
            filters.append(normalize_filter(filter_key, value))
        except InvalidFilterError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="invalid_id",
                translation_placeholders={"field": field, "value": value},
            ) from err

    return StatisticQuery(statistic, tuple(filters))


def _action_error(
    err: CxEngageError, query: StatisticQuery, tenant_id: str
) -> HomeAssistantError:
    """Return the translated error for a failed request of the action."""
    key: str
    placeholders: dict[str, str] = {"tenant_id": tenant_id}
    match err:
        case CxEngageAuthenticationError():
            key = "invalid_auth"
        case CxEngageForbiddenError():
            key = "forbidden"
        case InvalidStatisticError():
            # The 404 of a single statistic also covers an unknown queue or agent.
            key = "statistic_not_found"
            placeholders["statistic"] = query.key
        case CxEngageRateLimitError(retry_after=retry_after) if retry_after is not None:
            key = "action_rate_limited_retry_after"
            placeholders["retry_after"] = str(math.ceil(retry_after))
        case CxEngageRateLimitError():
            key = "action_rate_limited"
        case CxEngageConnectionError():
            key = "cannot_connect"
            placeholders = {"error": str(err)}
        case CxEngageInvalidResponseError():
            key = "invalid_response"
            placeholders = {"error": str(err)}
        case CxEngageError(status=int()):
            key = "request_rejected"
            placeholders = {"statistic": query.key, "error": str(err)}
        case _:
            key = "unknown_error"
            placeholders = {"error": str(err)}
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )
