"""Repair issues for tracked statistics, queues and agents that went away."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api import ItemError, StatisticQuery
from .const import AGENT_FILTER, CONF_STATISTICS, DOMAIN, LOGGER, QUEUE_FILTER

if TYPE_CHECKING:
    from homeassistant.components.repairs import RepairsFlowResult

    from .coordinator import CxEngageCoordinator, CxEngageData

# Issue kinds, each with its translation key and what it names.
STATISTIC_ISSUE = "statistic_unavailable"
QUEUE_ISSUE = "queue_not_found"
AGENT_ISSUE = "agent_not_found"

FORBIDDEN_ISSUE = "forbidden"

NOT_FOUND = 404


def repair_issue_id(entry_id: str, kind: str, subject: str) -> str:
    """Return the id of one repair issue of one entry."""
    return f"{entry_id}_{kind}_{subject}"


def _filter_values(queries: tuple[StatisticQuery, ...], key: str) -> set[str]:
    """Return every value the queries use for one filter key."""
    return {value for query in queries for name, value in query.filters if name == key}


def _missing_ids(names: dict[str, str] | None, ids: set[str]) -> set[str]:
    """Return the ids a complete name list lacks; none when the list is unknown."""
    if names is None:
        return set()
    return ids - names.keys()


@callback
def async_update_repair_issues(
    coordinator: CxEngageCoordinator, data: CxEngageData
) -> None:
    """Raise an issue for each tracked subject that is gone, and clear the rest.

    A statistic is gone when the tenant's catalogue no longer lists it or the
    batch returns 404 for it. A queue or agent is gone when the tenant's list of
    them lacks its id.
    """
    queries = coordinator.queries
    queue_ids = _filter_values(queries, QUEUE_FILTER)
    agent_ids = _filter_values(queries, AGENT_FILTER)
    missing_queues = _missing_ids(coordinator.queue_names, queue_ids)
    missing_agents = _missing_ids(coordinator.agent_names, agent_ids)

    missing_statistics: set[str] = set()
    for query in queries:
        if coordinator.catalogue and query.statistic not in coordinator.catalogue:
            missing_statistics.add(query.statistic)
            continue
        item = data.get(query)
        filter_ids = {value for _, value in query.filters}
        if (
            isinstance(item, ItemError)
            and item.status == NOT_FOUND
            and not filter_ids & (missing_queues | missing_agents)
        ):
            missing_statistics.add(query.statistic)

    wanted = {
        repair_issue_id(coordinator.config_entry.entry_id, kind, subject): (
            kind,
            subject,
        )
        for kind, subjects in (
            (STATISTIC_ISSUE, missing_statistics),
            (QUEUE_ISSUE, missing_queues),
            (AGENT_ISSUE, missing_agents),
        )
        for subject in subjects
    }
    _sync_issues(coordinator, wanted)


@callback
def async_set_forbidden_issue(
    coordinator: CxEngageCoordinator, *, active: bool
) -> None:
    """Raise or clear the issue that the credentials' role lacks permission.

    Not fixable here: the user must change the role in CxEngage, and polling
    goes on, so the issue clears itself once a request succeeds.
    """
    entry = coordinator.config_entry
    forbidden_id = repair_issue_id(entry.entry_id, FORBIDDEN_ISSUE, "permission")
    if not active:
        ir.async_delete_issue(coordinator.hass, DOMAIN, forbidden_id)
        return
    ir.async_create_issue(
        coordinator.hass,
        DOMAIN,
        forbidden_id,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=FORBIDDEN_ISSUE,
        translation_placeholders={
            "title": entry.title,
            "tenant_id": coordinator.tenant_id,
        },
    )


def _sync_issues(
    coordinator: CxEngageCoordinator, wanted: dict[str, tuple[str, str]]
) -> None:
    """Create the wanted issues and delete this entry's other issues."""
    hass = coordinator.hass
    entry = coordinator.config_entry
    registry = ir.async_get(hass)

    for existing_id, issue in list(registry.issues.items()):
        domain, this_id = existing_id
        if domain != DOMAIN or not this_id.startswith(f"{entry.entry_id}_"):
            continue
        if this_id not in wanted and issue.is_fixable:
            ir.async_delete_issue(hass, DOMAIN, this_id)

    for new_id, (kind, subject) in wanted.items():
        if registry.async_get_issue(DOMAIN, new_id) is not None:
            continue
        LOGGER.warning(
            "Tenant %s: tracked %s %s is no longer available; a repair issue "
            "offers to stop tracking it",
            coordinator.tenant_id,
            kind.split("_", maxsplit=1)[0],
            subject,
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            new_id,
            is_fixable=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            translation_placeholders={"subject": subject, "title": entry.title},
            data={"entry_id": entry.entry_id, "kind": kind, "subject": subject},
        )


def _keeps(item: dict[str, str], kind: str, subject: str) -> bool:
    """Return whether a stored query survives removing one subject."""
    if kind == STATISTIC_ISSUE:
        return item.get("statistic") != subject
    key = QUEUE_FILTER if kind == QUEUE_ISSUE else AGENT_FILTER
    try:
        filters = dict(StatisticQuery.from_json(item).filters)
    except ValueError:
        return True
    return filters.get(key) != subject


class StopTrackingRepairFlow(RepairsFlow):
    """Stop tracking a statistic, queue or agent that CxEngage no longer has."""

    def __init__(self, entry_id: str, kind: str, subject: str) -> None:
        """Remember what to stop tracking, in which entry."""
        self._entry_id = entry_id
        self._kind = kind
        self._subject = subject

    async def async_step_init(
        self,
        user_input: dict[str, str] | None = None,  # noqa: ARG002 - Home Assistant's signature
    ) -> RepairsFlowResult:
        """Show the confirmation step."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Remove the subject's queries from the entry options and reload it."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None:
            return self.async_abort(reason="entry_removed")

        if user_input is None:
            return self.async_show_form(
                step_id="confirm",
                description_placeholders={
                    "subject": self._subject,
                    "title": entry.title,
                },
            )

        tracked = entry.options.get(CONF_STATISTICS, [])
        kept = [item for item in tracked if _keeps(item, self._kind, self._subject)]
        self.hass.config_entries.async_update_entry(
            entry, options={**entry.options, CONF_STATISTICS: kept}
        )
        self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant,  # noqa: ARG001 - Home Assistant's signature
    issue_id: str,  # noqa: ARG001
    data: dict[str, Any] | None,
) -> RepairsFlow:
    """Create the flow that fixes one of this integration's issues."""
    assert data is not None  # noqa: S101 - every issue above is created with data
    return StopTrackingRepairFlow(
        str(data["entry_id"]), str(data["kind"]), str(data["subject"])
    )
