"""Sort the samples of a pyinstrument profile into a few kinds of work.

Each sample's time goes to the kind of the innermost frame on its stack that a rule
matches, so the kinds add up to the profile's whole duration.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from pyinstrument.frame import Frame

IDLE: Final = "Waiting for the network (idle)"
OTHER: Final = "Event loop and other"

# (kind, function name or None for any, path fragment or None for any), matched in
# this order on every frame.
_RULES: Final[tuple[tuple[str, str | None, str | None], ...]] = (
    (IDLE, "select", "selectors.py"),
    ("Parsing responses (integration)", None, "custom_components/cxengage/api/pars"),
    ("Integration code", None, "custom_components/cxengage/"),
    ("Integration code", None, "homeassistant/components/rest/"),
    ("Value templates", None, "homeassistant/helpers/template"),
    ("Value templates", None, "/jinja2/"),
    ("Value templates", "async_render_as_value_template", None),
    ("JSON decoding", None, "/json/"),
    ("Writing states (Home Assistant core)", "async_write_ha_state", None),
    ("HTTP client (aiohttp, sockets)", None, "/aiohttp/"),
    ("HTTP client (aiohttp, sockets)", None, "asyncio/selector_events.py"),
    ("Coordinator (Home Assistant helper)", None, "helpers/update_coordinator.py"),
)

# Kinds in the order a report lists them.
KINDS: Final = (
    "HTTP client (aiohttp, sockets)",
    "JSON decoding",
    "Parsing responses (integration)",
    "Value templates",
    "Integration code",
    "Coordinator (Home Assistant helper)",
    "Writing states (Home Assistant core)",
    OTHER,
)


def _kind_of(frame: Frame) -> str | None:
    function = frame.function or ""
    path = frame.file_path or ""
    for kind, name, fragment in _RULES:
        if name is not None and function != name:
            continue
        if fragment is not None and fragment not in path:
            continue
        return kind
    return None


def time_by_kind(root: Frame) -> dict[str, float]:
    """Return the seconds of the profile under `root` by kind of work."""
    totals: dict[str, float] = defaultdict(float)
    pending: list[tuple[Frame, str]] = [(root, OTHER)]
    while pending:
        frame, inherited = pending.pop()
        kind = _kind_of(frame) or inherited
        children = frame.children
        own = frame.time - sum(child.time for child in children)
        totals[kind] += max(own, 0.0)
        pending.extend((child, kind) for child in children)
    return dict(totals)
