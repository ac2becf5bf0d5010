"""Control endpoints under `/_simulator/`, for demos and benchmarks in another process.

They need no authentication, are not counted or recorded, and never get faults or
latency.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from aiohttp import web

from simulator.errors import error_response
from simulator.faults import ENDPOINTS, Fault

if TYPE_CHECKING:
    from aiohttp.web_urldispatcher import AbstractRoute

    from simulator.state import SimulatorState

CONTROL_ENDPOINT: Final = "control"
CONTROL_PREFIX: Final = "/_simulator"

# Settings that `PUT /_simulator/config` may change, with their accepted JSON types.
_SETTINGS: Final[dict[str, tuple[type, ...]]] = {
    "latency": (int, float),
    "batch_status": (int, type(None)),
    "numbers_as_strings": (bool,),
    "catalogue_casing": (str,),
    "max_batch_items": (int, type(None)),
    "batch_error_bodies": (bool,),
    "seed": (int,),
}


async def _json_object(request: web.Request) -> dict[str, object]:
    """Return the request's JSON object body.

    Raises:
        ValueError: The body is not valid JSON.
        TypeError: The body is JSON but not an object.

    """
    body = json.loads(await request.read())
    if not isinstance(body, dict):
        msg = "expected a JSON object"
        raise TypeError(msg)
    return body


class _ControlHandlers:
    def __init__(self, state: SimulatorState) -> None:
        self.state = state

    async def add_fault(self, request: web.Request) -> web.Response:
        try:
            fault = Fault.from_json(await _json_object(request))
        except (TypeError, ValueError) as error:
            return error_response(400, f"Invalid fault: {error}")
        self.state.faults.add(fault)
        return web.json_response({"fault": fault.to_json()}, status=201)

    async def list_faults(self, _request: web.Request) -> web.Response:
        faults = [fault.to_json() for fault in self.state.faults.snapshot()]
        return web.json_response({"faults": faults})

    async def clear_faults(self, _request: web.Request) -> web.Response:
        self.state.faults.clear()
        return web.Response(status=204)

    async def fail_item(self, request: web.Request) -> web.Response:
        try:
            body = await _json_object(request)
        except (TypeError, ValueError) as error:
            return error_response(400, f"Invalid item failure: {error}")
        statistic = body.get("statistic")
        status = body.get("status")
        if isinstance(status, bool):
            status = "invalid"
        if not isinstance(statistic, str) or not isinstance(status, int | None):
            message = (
                "Invalid item failure: expected {statistic: str, status: int|null}"
            )
            return error_response(400, message)
        self.state.item_failures[statistic] = status
        return web.json_response({"statistic": statistic, "status": status}, status=201)

    async def clear_item_failures(self, _request: web.Request) -> web.Response:
        self.state.item_failures.clear()
        return web.Response(status=204)

    async def expire_tokens(self, _request: web.Request) -> web.Response:
        self.state.tokens.revoke_all()
        return web.Response(status=204)

    async def counters(self, _request: web.Request) -> web.Response:
        counts = dict.fromkeys((*ENDPOINTS, "total"), 0)
        counts.update(self.state.request_counts)
        return web.json_response(counts)

    async def reset_counters(self, _request: web.Request) -> web.Response:
        self.state.reset_counters()
        return web.Response(status=204)

    async def get_config(self, _request: web.Request) -> web.Response:
        config = self.state.config
        return web.json_response({name: getattr(config, name) for name in _SETTINGS})

    async def put_config(self, request: web.Request) -> web.Response:
        try:
            body = await _json_object(request)
            _check_settings(body)
        except (TypeError, ValueError) as error:
            return error_response(400, f"Invalid config: {error}")
        for name, value in body.items():
            setattr(self.state.config, name, value)
        return await self.get_config(request)


def _check_settings(settings: dict[str, object]) -> None:
    """Raise ValueError for an unknown setting or a value of the wrong type."""
    for name, value in settings.items():
        types = _SETTINGS.get(name)
        if types is None:
            allowed = ", ".join(_SETTINGS)
            msg = f"unknown setting {name!r}; expected one of {allowed}"
            raise ValueError(msg)
        wrong_bool = isinstance(value, bool) and bool not in types
        if wrong_bool or not isinstance(value, types):
            msg = f"invalid type for {name!r}: {type(value).__name__}"
            raise ValueError(msg)
    if settings.get("catalogue_casing", "camel") not in {"camel", "kebab"}:
        msg = "catalogue_casing must be 'camel' or 'kebab'"
        raise ValueError(msg)
    batch_status = settings.get("batch_status")
    if isinstance(batch_status, int) and not 100 <= batch_status <= 599:  # noqa: PLR2004
        msg = f"batch_status must be an HTTP status from 100 to 599, got {batch_status}"
        raise ValueError(msg)
    latency = settings.get("latency", 0)
    if isinstance(latency, int | float) and latency < 0:
        msg = f"latency must be >= 0 seconds, got {latency}"
        raise ValueError(msg)


def add_control_routes(
    router: web.UrlDispatcher, state: SimulatorState
) -> list[AbstractRoute]:
    """Add the control routes for `state` and return them."""
    handlers = _ControlHandlers(state)
    table = (
        ("POST", "/faults", handlers.add_fault),
        ("GET", "/faults", handlers.list_faults),
        ("DELETE", "/faults", handlers.clear_faults),
        ("POST", "/item-failures", handlers.fail_item),
        ("DELETE", "/item-failures", handlers.clear_item_failures),
        ("POST", "/expire-tokens", handlers.expire_tokens),
        ("GET", "/counters", handlers.counters),
        ("POST", "/reset-counters", handlers.reset_counters),
        ("GET", "/config", handlers.get_config),
        ("PUT", "/config", handlers.put_config),
    )
    return [
        router.add_route(method, CONTROL_PREFIX + path, handler)
        for method, path, handler in table
    ]
