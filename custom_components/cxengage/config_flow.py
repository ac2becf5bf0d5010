"""Config flow for the CxEngage integration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, override

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_PASSWORD, CONF_SCAN_INTERVAL, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    AuthMethod,
    CxEngageError,
    Region,
    StatisticDefinition,
)
from .connection import (
    InputError,
    connection_error_key,
    normalize_user_input,
    statistic_options,
    validate_connection,
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
)
from .options_flow import CxEngageOptionsFlow

if TYPE_CHECKING:
    # Home Assistant 2026.10 replaced voluptuous with the compatible probatio and
    # aliases `voluptuous` to it at import time, so type against what runs.
    import probatio as vol
else:
    import voluptuous as vol

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


# The same fields as the user step, but an empty password keeps the stored one.
RECONFIGURE_SCHEMA = USER_SCHEMA.extend(
    {
        vol.Optional(CONF_PASSWORD): TextSelector(
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


def entry_unique_id(data: Mapping[str, str]) -> str:
    """Return an entry's unique ID: the tenant ID at its API base URL."""
    return f"{data[CONF_TENANT_ID]}@{data[CONF_BASE_URL]}"


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
            data, catalogue, errors = await self._async_test_input(user_input)
            if not errors:
                await self.async_set_unique_id(entry_unique_id(data))
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

    async def _async_test_input(
        self, user_input: Mapping[str, Any]
    ) -> tuple[dict[str, str], dict[str, StatisticDefinition], dict[str, str]]:
        """Normalise the input and test it against the API.

        Returns the entry data, the tenant's catalogue and the form errors, which
        are empty on success.
        """
        try:
            data = normalize_user_input(user_input)
            catalogue = await validate_connection(self.hass, data)
        except InputError as err:
            return {}, {}, {err.field: err.error}
        except CxEngageError as err:
            LOGGER.debug(
                "Connection test for tenant %s failed: %s",
                user_input.get(CONF_TENANT_ID),
                err,
            )
            return {}, {}, {"base": connection_error_key(err)}
        except Exception:  # noqa: BLE001 - any other failure is shown as "unknown"
            LOGGER.exception("Unexpected error while testing the connection")
            return {}, {}, {"base": "unknown"}
        return data, catalogue, {}

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
            data, _, errors = await self._async_test_input({**entry.data, **user_input})
            if not errors:
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

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change region, base URL, auth method and credentials of the same tenant.

        An empty password keeps the stored one. Another tenant aborts, because
        its statistics would need new entities; it belongs in a new entry.
        """
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            values = dict(user_input)
            if not values.get(CONF_PASSWORD):
                values[CONF_PASSWORD] = entry.data[CONF_PASSWORD]
            data, _, errors = await self._async_test_input(values)
            if not errors:
                if data[CONF_TENANT_ID] != entry.data[CONF_TENANT_ID]:
                    return self.async_abort(reason="wrong_tenant")
                unique_id = entry_unique_id(data)
                if any(
                    other.unique_id == unique_id and other.entry_id != entry.entry_id
                    for other in self._async_current_entries(include_ignore=False)
                ):
                    return self.async_abort(reason="already_configured")
                return self.async_update_reload_and_abort(
                    entry, unique_id=unique_id, data=data
                )

        suggested = user_input or {
            key: value for key, value in entry.data.items() if key != CONF_PASSWORD
        }
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                RECONFIGURE_SCHEMA, suggested
            ),
            description_placeholders={"title": entry.title},
            errors=errors,
        )
