"""Diagnostics for the CxEngage integration, with credentials and e-mails redacted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import datetime
import re
from typing import Any, Final

from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant

from .api import ItemError, StatisticDefinition
from .coordinator import CxEngageConfigEntry, CxEngageCoordinator
from .services import result_as_dict

# Keys whose values are replaced, compared in lowercase without "-" and "_", so that
# "api_key", "apiKey" and "api-key" all match. "customer" and "contactPoint" are the
# caller's address or phone number in the rows of interaction lists.
REDACTED_KEYS: Final = frozenset(
    {
        "password",
        "username",
        "apikey",
        "apisecret",
        "secret",
        "token",
        "accesstoken",
        "refreshtoken",
        "authorization",
        "email",
        "emailaddress",
        "customer",
        "contactpoint",
    }
)
# Stricter than RFC 5322 on purpose: the unique ID "<tenant>@https://host" must not
# match, because its host part contains "://".
EMAIL_PATTERN: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's platform signature
    entry: CxEngageConfigEntry,
) -> dict[str, Any]:
    """Return the entry, the tenant's catalogue, the last results and the counters.

    After a failed setup the entry may have no coordinator, or a coordinator that
    never fetched data, so every coordinator part is optional.
    """
    coordinator: CxEngageCoordinator | None = getattr(entry, "runtime_data", None)
    diagnostics: dict[str, Any] = {
        "config_entry": entry.as_dict(),
        "entry_state": entry.state.value,
        "entry_reason": entry.reason,
        "coordinator": None if coordinator is None else _coordinator(coordinator),
    }
    redacted: dict[str, Any] = redact(diagnostics, _stored_credentials(entry.data))
    return redacted


def _coordinator(coordinator: CxEngageCoordinator) -> dict[str, Any]:
    interval = coordinator.update_interval
    error = coordinator.last_exception
    # NOTE: The coordinator may not record its poll timing, so both have defaults.
    poll_started: datetime | None = getattr(coordinator, "last_poll_started", None)
    poll_duration: float | None = getattr(coordinator, "last_poll_duration", None)
    client = coordinator.client
    return {
        "tenant_id": coordinator.tenant_id,
        "update_interval_seconds": None
        if interval is None
        else interval.total_seconds(),
        "last_update_success": coordinator.last_update_success,
        "last_exception": None
        if error is None
        else {"type": type(error).__name__, "message": str(error)},
        "last_poll_started": None if poll_started is None else poll_started.isoformat(),
        "last_poll_duration_seconds": poll_duration,
        "client": {
            "base_url": client.base_url,
            "batch_supported": client.batch_supported,
            "counters": asdict(client.counters),
        },
        "catalogue": {
            name: _definition(definition)
            for name, definition in sorted(coordinator.catalogue.items())
        },
        "results": _results(coordinator),
    }


def _definition(definition: StatisticDefinition) -> dict[str, Any]:
    return {
        "label": definition.label,
        "type": definition.type,
        "optional_filters": list(definition.optional_filters),
        "response_keys": list(definition.response_keys),
    }


def _results(coordinator: CxEngageCoordinator) -> dict[str, Any]:
    """Return each tracked query's last result or item error, None before a poll."""
    # coordinator.data stays None until the first successful poll.
    data = coordinator.data or {}
    results: dict[str, Any] = {}
    for query in coordinator.queries:
        item = data.get(query)
        if item is None:
            results[query.key] = None
        elif isinstance(item, ItemError):
            results[query.key] = {
                "error": {"status": item.status, "reason": item.reason}
            }
        else:
            results[query.key] = result_as_dict(item)
    return results


def _stored_credentials(data: Mapping[str, Any]) -> list[str]:
    """Return the entry's username (or API key) and password (or API secret)."""
    values = (data.get(CONF_USERNAME), data.get(CONF_PASSWORD))
    return [value for value in values if isinstance(value, str) and value]


def redact(value: Any, credentials: Iterable[str]) -> Any:
    """Copy `value`, redacting sensitive keys, credentials and e-mail addresses.

    A mapping value whose key is in REDACTED_KEYS becomes "**REDACTED**", unless it
    is None or empty. In every other string, keys included, each occurrence of a
    credential and each e-mail address is replaced with "**REDACTED**". A very short
    credential may also redact unrelated text, which is safer than showing it.
    """
    # Longer secrets go first, so that a secret containing another is replaced whole.
    secrets = sorted(set(credentials), key=len, reverse=True)
    return _redact(value, secrets)


def _redact(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, Mapping):
        copied: dict[Any, Any] = {}
        for key, item in value.items():
            if _is_sensitive_key(key) and item not in (None, ""):
                copied[_redact(key, secrets)] = REDACTED
            else:
                copied[_redact(key, secrets)] = _redact(item, secrets)
        return copied
    if isinstance(value, list | tuple | set | frozenset):
        return [_redact(item, secrets) for item in value]
    if isinstance(value, str):
        return _redact_text(value, secrets)
    return value


def _is_sensitive_key(key: object) -> bool:
    if not isinstance(key, str):
        return False
    return key.lower().replace("-", "").replace("_", "") in REDACTED_KEYS


def _redact_text(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return EMAIL_PATTERN.sub(REDACTED, text)
