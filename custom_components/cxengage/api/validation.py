# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Validation and normalisation of user input: tenant ids, base URLs, queries."""

from __future__ import annotations

import ipaddress
import re
from typing import Final, cast

from yarl import URL

from .const import (
    CHANNEL_TYPE_FILTER,
    CHANNEL_TYPES,
    DIRECTION_FILTER,
    DIRECTIONS,
    FILTER_KEY_ALIASES,
    STATISTIC_NAME_PATTERN,
    UUID_FILTER_KEYS,
)
from .exceptions import (
    InvalidBaseUrlError,
    InvalidFilterError,
    InvalidStatisticError,
    InvalidTenantIdError,
)

_UUID_RE: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
)
_STATISTIC_NAME_RE: Final = re.compile(STATISTIC_NAME_PATTERN)
_HOST_LABEL_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_FORBIDDEN_URL_CHARS: Final = re.compile(r"[\s\x00-\x1f\x7f\\@?#]")
_ACCEPTED_PATHS: Final = frozenset({"", "/", "/v1", "/v1/"})
_DEFAULT_PORTS: Final = {"https": 443, "http": 80}
_MAX_SHOWN_LENGTH: Final = 80
_EXAMPLE_URL: Final = "https://api.cxengage.net"


def _describe(value: object) -> str:
    """Return a rejected value for an error message: a short repr, or the type name."""
    if not isinstance(value, str):
        return type(value).__name__
    if len(value) > _MAX_SHOWN_LENGTH:
        value = value[:_MAX_SHOWN_LENGTH] + "..."
    return repr(value)


def normalize_uuid(value: object) -> str | None:
    """Return the UUID in canonical lowercase form, or None if it is not one.

    Surrounding whitespace and one pair of braces, as in "{...}", are removed first.
    """
    if not isinstance(value, str):
        return None

    text = value.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1].strip()

    # isascii() first, because str.lower() maps some non-ASCII letters to ASCII ones.
    if not text.isascii():
        return None
    text = text.lower()
    if _UUID_RE.fullmatch(text) is None:
        return None
    return text


def normalize_tenant_id(value: str) -> str:
    """Return the tenant id as a lowercase 8-4-4-4-12 UUID.

    Surrounding whitespace and one pair of braces ("{...}") are accepted and removed.

    Raises:
        InvalidTenantIdError: the value is not a UUID.
    """
    tenant_id = normalize_uuid(value)
    if tenant_id is None:
        msg = (
            f"Invalid tenant ID {_describe(value)}: expected a UUID such as "
            "12345678-9abc-def0-1234-56789abcdef0"
        )
        raise InvalidTenantIdError(msg)
    return tenant_id


def _is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_valid_hostname(host: str) -> bool:
    if len(host) > 253:  # noqa: PLR2004 - the DNS limit for a name in text form
        return False
    return all(_HOST_LABEL_RE.fullmatch(label) for label in host.split("."))


def _format_host(host: str) -> str | None:
    """Return the host as it appears in a URL, or None if it is not valid."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host if _is_valid_hostname(host) else None
    if isinstance(address, ipaddress.IPv6Address):
        return f"[{address.compressed}]"
    return address.compressed


def _parse_url(text: str) -> URL:
    """Parse the base URL, rejecting characters that no origin contains."""
    shown = _describe(text)
    forbidden = _FORBIDDEN_URL_CHARS.search(text)
    if forbidden is not None:
        reasons = {
            "@": "user info (user@host) is not allowed",
            "?": "a query string is not allowed",
            "#": "a fragment is not allowed",
        }
        reason = reasons.get(forbidden.group(), "it contains whitespace or a backslash")
        msg = f"Invalid base URL {shown}: {reason}"
        raise InvalidBaseUrlError(msg)

    try:
        url = URL(text)
        _ = url.explicit_port  # raises ValueError for a port out of range
    except ValueError as err:
        msg = f"Invalid base URL {shown}: {err}"
        raise InvalidBaseUrlError(msg) from err
    return url


def normalize_base_url(value: str) -> str:
    """Return the API base URL as "scheme://host[:port]", without a trailing slash.

    The scheme must be https, or http when the host is a loopback address
    (127.0.0.0/8, ::1 or "localhost"). User info, a query and a fragment are
    rejected. The path must be empty, "/", "/v1" or "/v1/", because the client adds
    "/v1" itself. The host is lowercased (and IDNA-encoded), and a port equal to the
    scheme's default is dropped.

    Raises:
        InvalidBaseUrlError: the value is not such a URL. The message gives the reason.
    """
    if not isinstance(cast("object", value), str):
        msg = f"Invalid base URL: expected a string, got {type(value).__name__}"
        raise InvalidBaseUrlError(msg)

    text = value.strip()
    if not text:
        msg = "Invalid base URL: the URL is empty"
        raise InvalidBaseUrlError(msg)

    shown = _describe(text)
    url = _parse_url(text)
    scheme = url.scheme
    raw_host = (url.raw_host or "").lower()
    if scheme not in _DEFAULT_PORTS or not url.absolute or not raw_host:
        msg = f"Invalid base URL {shown}: expected https://host, e.g. {_EXAMPLE_URL}"
        raise InvalidBaseUrlError(msg)

    host = _format_host(raw_host)
    if host is None:
        msg = f"Invalid base URL {shown}: the host name is not valid"
        raise InvalidBaseUrlError(msg)

    if scheme == "http" and not _is_loopback_host(raw_host):
        msg = (
            f"Invalid base URL {shown}: use https, because http is only allowed "
            "for a loopback host such as 127.0.0.1"
        )
        raise InvalidBaseUrlError(msg)

    if url.raw_path not in _ACCEPTED_PATHS:
        msg = f"Invalid base URL {shown}: a path is not allowed, except /v1"
        raise InvalidBaseUrlError(msg)

    port = url.explicit_port
    if port == 0:
        msg = f"Invalid base URL {shown}: port 0 is not valid"
        raise InvalidBaseUrlError(msg)

    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def validate_statistic_name(value: str) -> str:
    """Return the statistic name unchanged if it matches ^[a-z0-9][a-z0-9-]{0,127}$.

    Raises:
        InvalidStatisticError: the name does not match.
    """
    if not isinstance(value, str) or _STATISTIC_NAME_RE.fullmatch(value) is None:
        msg = (
            f"Invalid statistic name {_describe(value)}: expected lowercase letters, "
            "digits and hyphens, such as queue-length"
        )
        raise InvalidStatisticError(msg)
    return value


def normalize_filter(key: str, value: str) -> tuple[str, str]:
    """Return the filter as (API key, normalised value).

    Keys may be spelled as in the API ("queue-id", "channelType"), in camelCase
    ("queueId") or in snake_case ("queue_id"). Id filters take a UUID, which is
    lowercased. channelType and direction values are trimmed and lowercased.

    Raises:
        InvalidFilterError: the key is unknown or the value is invalid for it.
    """
    canonical = FILTER_KEY_ALIASES.get(key) if isinstance(key, str) else None
    if canonical is None:
        allowed = ", ".join(sorted(set(FILTER_KEY_ALIASES.values())))
        msg = f"Unknown filter {_describe(key)}: expected one of {allowed}"
        raise InvalidFilterError(msg)

    if canonical in UUID_FILTER_KEYS:
        uuid = normalize_uuid(value)
        if uuid is None:
            msg = (
                f"Invalid {canonical} filter value {_describe(value)}: expected a UUID"
            )
            raise InvalidFilterError(msg)
        return canonical, uuid

    allowed_values = {CHANNEL_TYPE_FILTER: CHANNEL_TYPES, DIRECTION_FILTER: DIRECTIONS}[
        canonical
    ]
    text = value.strip().lower() if isinstance(value, str) else ""
    if text not in allowed_values:
        expected = ", ".join(sorted(allowed_values))
        msg = (
            f"Invalid {canonical} filter value {_describe(value)}: "
            f"expected one of {expected}"
        )
        raise InvalidFilterError(msg)
    return canonical, text
