"""Config flow for the CxEngage integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

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
    CONF_STATISTICS,
    CONF_TENANT_ID,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_STATISTICS,
    DOMAIN,
    LOGGER,
    MIN_SCAN_INTERVAL,
    REQUEST_TIMEOUT,
)
from .coordinator import CxEngageConfigEntry

if TYPE_CHECKING:
    # Home Assistant 2026.10 replaced voluptuous with the compatible probatio and
    # aliases `voluptuous` to it at import time, so type against what runs.
    import probatio as vol
else:
    import voluptuous as vol

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


def normalize_user_input(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Check and normalise the user step's values into the entry data.

    Raises InputError for the first invalid field.
    """
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
    # Passwords are kept as typed: leading or trailing spaces may be part of them.
    password: str = user_input[CONF_PASSWORD]
    if not password:
        raise InputError(CONF_PASSWORD, "required")

    return {
        CONF_REGION: region.value,
        CONF_BASE_URL: base_url,
        CONF_TENANT_ID: tenant_id,
        CONF_AUTH_METHOD: AuthMethod(user_input[CONF_AUTH_METHOD]).value,
        CONF_USERNAME: username,
        CONF_PASSWORD: password,
    }


async def validate_connection(
    hass: HomeAssistant, data: Mapping[str, str]
) -> dict[str, StatisticDefinition]:
    """Sign in and fetch the tenant's statistic catalogue, as setup will."""
    client = CxEngageClient(
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
    return await client.get_available_statistics()


def connection_error_key(err: CxEngageError) -> str:
    """Return the form error key for a failed connection test."""
    for error_class, key in CONNECTION_ERRORS:
        if isinstance(err, error_class):
            return key
    return "unknown"


# Only the choices have defaults; typed values come back as suggested values, so a
# form shown again after an error keeps what the user entered.
USER_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_REGION, default=Region.NORTH_AMERICA.value): SelectSelector(
            SelectSelectorConfig(
                options=[region.value for region in Region],
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_REGION,
            )
        ),
        vol.Optional(CONF_BASE_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
        vol.Required(CONF_TENANT_ID): TextSelector(),
        vol.Required(CONF_AUTH_METHOD, default=AuthMethod.BASIC.value): SelectSelector(
            SelectSelectorConfig(
                options=[method.value for method in AuthMethod],
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_AUTH_METHOD,
            )
        ),
        vol.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(autocomplete="username")
        ),
        vol.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(
                type=TextSelectorType.PASSWORD, autocomplete="current-password"
            )
        ),
    }
)


REAUTH_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_USERNAME): TextSelector(
            TextSelectorConfig(autocomplete="username")
        ),
        vol.Required(CONF_PASSWORD): TextSelector(
            TextSelectorConfig(
                type=TextSelectorType.PASSWORD, autocomplete="current-password"
            )
        ),
    }
)


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


def statistics_schema(catalogue: Mapping[str, StatisticDefinition]) -> vol.Schema:
    """Build the statistics step's multi-select, labelled by friendly names."""
    options = statistic_options(catalogue)
    defaults = [name for name in DEFAULT_STATISTICS if name in catalogue]
    return vol.Schema(
        {
            vol.Required(CONF_STATISTICS, default=defaults): SelectSelector(
                SelectSelectorConfig(
                    options=options,
                    multiple=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            ),
        }
    )


class CxEngageConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a CxEngage tenant: connection first, then the statistics to track."""

    VERSION = 1
    MINOR_VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConfigEntry,  # noqa: ARG004 - Home Assistant's signature
    ) -> CxEngageOptionsFlow:
        """Return the options flow, which changes statistics and poll interval."""
        return CxEngageOptionsFlow()

    def __init__(self) -> None:
        """Start with no validated connection."""
        self._data: dict[str, str] = {}
        self._catalogue: dict[str, StatisticDefinition] = {}

    @override
    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the region, tenant and credentials, and test them."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = normalize_user_input(user_input)
                catalogue = await validate_connection(self.hass, data)
            except InputError as err:
                errors[err.field] = err.error
            except CxEngageError as err:
                errors["base"] = connection_error_key(err)
                LOGGER.debug(
                    "Connection test for tenant %s failed: %s",
                    user_input.get(CONF_TENANT_ID),
                    err,
                )
            except Exception:  # noqa: BLE001 - any other failure is shown as "unknown"
                LOGGER.exception("Unexpected error while testing the connection")
                errors["base"] = "unknown"
            else:
                await self.async_set_unique_id(
                    f"{data[CONF_TENANT_ID]}@{data[CONF_BASE_URL]}"
                )
                self._abort_if_unique_id_configured()
                if not catalogue:
                    return self.async_abort(reason="no_statistics_available")
                self._data = data
                self._catalogue = catalogue
                return await self.async_step_statistics()

        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                USER_SCHEMA, user_input or {}
            ),
            errors=errors,
        )

    async def async_step_statistics(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user pick statistics from the tenant's live catalogue."""
        errors: dict[str, str] = {}
        if user_input is not None:
            selected = [
                name for name in user_input[CONF_STATISTICS] if name in self._catalogue
            ]
            if selected:
                tenant_id = self._data[CONF_TENANT_ID]
                return self.async_create_entry(
                    title=f"CxEngage {tenant_id[:8]}",
                    data=self._data,
                    options={
                        CONF_STATISTICS: [{"statistic": name} for name in selected],
                        CONF_SCAN_INTERVAL: DEFAULT_SCAN_INTERVAL.total_seconds(),
                    },
                )
            errors[CONF_STATISTICS] = "no_statistics_selected"

        return self.async_show_form(
            step_id="statistics",
            data_schema=statistics_schema(self._catalogue),
            errors=errors,
        )

    async def async_step_reauth(
        self,
        entry_data: Mapping[str, Any],  # noqa: ARG002 - the entry is read below
    ) -> ConfigFlowResult:
        """Start asking for new credentials after CxEngage rejected the old ones."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials only, and keep the entry with its entities."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = normalize_user_input({**entry.data, **user_input})
                await validate_connection(self.hass, data)
            except InputError as err:
                errors[err.field] = err.error
            except CxEngageError as err:
                errors["base"] = connection_error_key(err)
            except Exception:  # noqa: BLE001 - any other failure is shown as "unknown"
                LOGGER.exception("Unexpected error while testing new credentials")
                errors["base"] = "unknown"
            else:
                return self.async_update_reload_and_abort(
                    entry,
                    data_updates={
                        CONF_USERNAME: data[CONF_USERNAME],
                        CONF_PASSWORD: data[CONF_PASSWORD],
                    },
                )

        suggested = user_input or {CONF_USERNAME: entry.data[CONF_USERNAME]}
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(REAUTH_SCHEMA, suggested),
            description_placeholders={
                "title": entry.title,
                "tenant_id": entry.data[CONF_TENANT_ID],
            },
            errors=errors,
        )


class CxEngageOptionsFlow(OptionsFlowWithReload):
    """Change the tracked statistics and the poll interval, then reload the entry."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the tenant's catalogue with the current choices selected."""
        try:
            catalogue = await self._async_catalogue()
        except CxEngageError as err:
            LOGGER.debug("Could not load the catalogue for the options: %s", err)
            return self.async_abort(reason=connection_error_key(err))

        options = self.config_entry.options
        tracked: list[dict[str, str]] = list(options.get(CONF_STATISTICS, []))
        # Filtered queries are not offered here; they are kept as they are.
        filtered = [item for item in tracked if set(item) != {"statistic"}]
        selected = [item["statistic"] for item in tracked if set(item) == {"statistic"}]

        errors: dict[str, str] = {}
        if user_input is not None:
            names = [name for name in user_input[CONF_STATISTICS] if name in catalogue]
            if not names and not filtered:
                errors[CONF_STATISTICS] = "no_statistics_selected"
            else:
                return self.async_create_entry(
                    data={
                        **options,
                        CONF_STATISTICS: [{"statistic": name} for name in names]
                        + filtered,
                        CONF_SCAN_INTERVAL: user_input[CONF_SCAN_INTERVAL],
                    }
                )

        # A statistic the tenant no longer lists stays visible, so that the user
        # can see it and remove it.
        choices = statistic_options(catalogue) + [
            SelectOptionDict(value=name, label=name)
            for name in selected
            if name not in catalogue
        ]
        schema = vol.Schema(
            {
                vol.Required(CONF_STATISTICS): SelectSelector(
                    SelectSelectorConfig(
                        options=choices,
                        multiple=True,
                        mode=SelectSelectorMode.DROPDOWN,
                    )
                ),
                vol.Required(CONF_SCAN_INTERVAL): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_SCAN_INTERVAL.total_seconds(),
                        max=3600,
                        step=1,
                        unit_of_measurement="s",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        current = {
            CONF_STATISTICS: selected,
            CONF_SCAN_INTERVAL: options.get(
                CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL.total_seconds()
            ),
        }
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or current
            ),
            errors=errors,
        )

    async def _async_catalogue(self) -> dict[str, StatisticDefinition]:
        """Return the loaded entry's catalogue, or fetch it when not loaded."""
        entry: CxEngageConfigEntry = self.config_entry
        if hasattr(entry, "runtime_data") and entry.runtime_data.catalogue:
            return entry.runtime_data.catalogue
        return await validate_connection(self.hass, entry.data)
