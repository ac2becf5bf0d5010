"""Input checks and the connection test shared by the config and options flows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.const import CONF_PASSWORD, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import SelectOptionDict

from .api import (
    REGION_BASE_URLS,
    AuthMethod,
    Credentials,
    CxEngageAuthenticationError,
    CxEngageClient,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    CxEngageTenantNotFoundError,
    InvalidBaseUrlError,
    InvalidTenantIdError,
    Region,
    StatisticDefinition,
    normalize_base_url,
    normalize_tenant_id,
)
from .const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_REGION,
    CONF_TENANT_ID,
    REQUEST_TIMEOUT,
)

# The form error shown for each client failure. The first matching class wins.
CONNECTION_ERRORS: tuple[tuple[type[CxEngageError], str], ...] = (
    (CxEngageAuthenticationError, "invalid_auth"),
    (CxEngageForbiddenError, "forbidden"),
    (CxEngageTenantNotFoundError, "tenant_not_found"),
    (CxEngageRateLimitError, "rate_limited"),
    (CxEngageConnectionError, "cannot_connect"),
    (CxEngageInvalidResponseError, "invalid_response"),
)


class InputError(Exception):
    """A form value that failed validation, with the field and error key to show."""

    def __init__(self, field: str, error: str) -> None:
        """Store the field the error belongs to and its translation key."""
        super().__init__(error)
        self.field = field
        self.error = error


# Longer text fields are rejected: no real URL, username or secret comes near it.
MAX_FIELD_LENGTH = 1024


def normalize_user_input(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Check and normalise the user step's values into the entry data.

    Raises InputError for the first invalid field.
    """
    for field in (CONF_BASE_URL, CONF_TENANT_ID, CONF_USERNAME, CONF_PASSWORD):
        if len(str(user_input.get(field, ""))) > MAX_FIELD_LENGTH:
            raise InputError(field, "too_long")

    region = Region(user_input[CONF_REGION])
    custom_url = user_input.get(CONF_BASE_URL, "").strip()
    if region is Region.CUSTOM:
        try:
            base_url = normalize_base_url(custom_url)
        except InvalidBaseUrlError as err:
            raise InputError(CONF_BASE_URL, "invalid_url") from err
    elif custom_url:
        raise InputError(CONF_BASE_URL, "base_url_not_custom")
    else:
        base_url = REGION_BASE_URLS[region]

    try:
        tenant_id = normalize_tenant_id(user_input[CONF_TENANT_ID])
    except InvalidTenantIdError as err:
        raise InputError(CONF_TENANT_ID, "invalid_tenant_id") from err

    username = user_input[CONF_USERNAME].strip()
    if not username:
        raise InputError(CONF_USERNAME, "required")
    auth_method = AuthMethod(user_input[CONF_AUTH_METHOD])
    # HTTP Basic separates username and password with the first colon (RFC 7617).
    if auth_method is AuthMethod.BASIC and ":" in username:
        raise InputError(CONF_USERNAME, "username_colon")
    # Passwords are kept as typed: leading or trailing spaces may be part of them.
    password: str = user_input[CONF_PASSWORD]
    if not password:
        raise InputError(CONF_PASSWORD, "required")

    return {
        CONF_REGION: region.value,
        CONF_BASE_URL: base_url,
        CONF_TENANT_ID: tenant_id,
        CONF_AUTH_METHOD: auth_method.value,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
    }


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> CxEngageClient:
    """Create an API client from entry data, on Home Assistant's shared session.

    Raises CxEngageValidationError when the stored URL or tenant is invalid.
    """
    return CxEngageClient(
        async_get_clientsession(hass),
        base_url=data[CONF_BASE_URL],
        tenant_id=data[CONF_TENANT_ID],
        credentials=Credentials(
            method=AuthMethod(data[CONF_AUTH_METHOD]),
            username=data[CONF_USERNAME],
            secret=data[CONF_PASSWORD],
        ),
        request_timeout=REQUEST_TIMEOUT,
    )


async def validate_connection(
    hass: HomeAssistant, data: Mapping[str, Any]
) -> dict[str, StatisticDefinition]:
    """Sign in and fetch the tenant's statistic catalogue, as setup will."""
    return await create_client(hass, data).get_available_statistics()


def connection_error_key(err: CxEngageError) -> str:
    """Return the form error key for a failed connection test."""
    for error_class, key in CONNECTION_ERRORS:
        if isinstance(err, error_class):
            return key
    return "unknown"


def statistic_options(
    catalogue: Mapping[str, StatisticDefinition],
) -> list[SelectOptionDict]:
    """List the catalogue's statistics for a selector, sorted by friendly name."""
    return [
        SelectOptionDict(value=name, label=f"{definition.label} ({name})")
        for name, definition in sorted(
            catalogue.items(), key=lambda item: item[1].label.casefold()
        )
    ]
