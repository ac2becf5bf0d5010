"""The aiohttp application: API routes, request records, latency and faults.

Every tenant endpoint checks, in this order:

1. authentication (401 for a missing or invalid Authorization header),
2. the tenant id in the path (404 for any other id, well-formed or not),
3. the caller's permission (403 for the limited user),
4. the request itself (404 for an unknown statistic, queue or agent, 400 for a
   filter the statistic does not accept or a malformed body).

Injected faults and the configured latency come before all of these checks.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Final

from aiohttp import web

from simulator import directory
from simulator.auth import (
    AuthError,
    Principal,
    RequestError,
    authenticate,
    principal_for_token_request,
)
from simulator.bodies import statistic_body
from simulator.catalogue import (
    FILTER_KEY_ALIASES,
    KNOWN_FILTER_KEYS,
    STATISTICS,
    Statistic,
    available_body,
)
from simulator.control import CONTROL_ENDPOINT, add_control_routes
from simulator.errors import StatisticError, error_response, resolve_statistic
from simulator.faults import respond_with_fault
from simulator.state import RequestRecord, SimulatorState
from simulator.values import Filters

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiohttp.web_urldispatcher import AbstractRoute

_LOGGER = logging.getLogger(__name__)

STATE: Final = web.AppKey("state", SimulatorState)
ROUTE_ENDPOINTS: Final = web.AppKey("route_endpoints", dict["AbstractRoute", str])

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
type TenantHandler = Callable[[web.Request, SimulatorState], Awaitable[web.Response]]

TENANT_PATH: Final = "/v1/tenants/{tenant_id}"
STATISTICS_PATH: Final = f"{TENANT_PATH}/realtime-statistics"


def create_app(state: SimulatorState) -> web.Application:
    """Build the application that serves the simulated API for `state`."""
    app = web.Application(middlewares=[_simulator_middleware])
    app[STATE] = state
    app[ROUTE_ENDPOINTS] = {}

    def add(method: str, path: str, handler: Handler, endpoint: str) -> None:
        route = app.router.add_route(method, path, handler)
        app[ROUTE_ENDPOINTS][route] = endpoint

    add("POST", "/v1/tokens", _post_token, "tokens")
    add("POST", "/v1/login", _post_login, "login")
    add("GET", TENANT_PATH, _tenant_endpoint(_get_tenant), "tenant")
    add("GET", f"{TENANT_PATH}/queues", _tenant_endpoint(_get_queues), "queues")
    add("GET", f"{TENANT_PATH}/users", _tenant_endpoint(_get_users), "users")
    # The fixed paths come before the {name} path that would also match them.
    add(
        "GET",
        f"{STATISTICS_PATH}/available",
        _tenant_endpoint(_get_available),
        "available",
    )
    add("POST", f"{STATISTICS_PATH}/batch", _post_batch, "batch")
    add(
        "GET",
        f"{STATISTICS_PATH}/{{name}}",
        _tenant_endpoint(_get_statistic),
        "statistic",
    )
    add(
        "GET",
        f"{TENANT_PATH}/users/{{user_id}}/realtime-statistics/{{name}}",
        _tenant_endpoint(_get_user_statistic),
        "statistic",
    )
    for route in add_control_routes(app.router, state):
        app[ROUTE_ENDPOINTS][route] = CONTROL_ENDPOINT
    return app


async def _batch_size(request: web.Request) -> int | None:
    """Return the item count of a batch body, or None when it is malformed."""
    try:
        body = json.loads(await request.read())
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("requests"), dict):
        return len(body["requests"])
    return None


@web.middleware
async def _simulator_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Record and count the request, then apply latency and faults."""
    state = request.app[STATE]
    endpoint = request.app[ROUTE_ENDPOINTS].get(request.match_info.route)
    if endpoint == CONTROL_ENDPOINT:
        return await handler(request)

    name = endpoint or "unknown"
    batch_size = await _batch_size(request) if name == "batch" else None
    authorization = request.headers.get("Authorization", "")
    scheme = authorization.partition(" ")[0].lower() or None
    state.record(
        RequestRecord(
            method=request.method,
            endpoint=name,
            path=request.path,
            query=dict(request.query.items()),
            auth_scheme=scheme,
            batch_size=batch_size,
        )
    )
    # The Authorization header is never logged, only its scheme.
    _LOGGER.debug(
        "%s %s (endpoint %s, auth %s)", request.method, request.path_qs, name, scheme
    )

    await state.pause(state.config.latency)
    fault = state.faults.take(name) if endpoint is not None else None
    if fault is None:
        response = await handler(request)
    else:
        _LOGGER.debug(
            "Applying fault to %s %s: %s", request.method, request.path, fault
        )
        response = await respond_with_fault(fault, request, handler, state.pause)
    _LOGGER.debug("%s %s -> HTTP %s", request.method, request.path, response.status)
    return response


def _authenticate(request: web.Request, state: SimulatorState) -> Principal:
    return authenticate(
        request.headers.get("Authorization"), state.config, state.tokens, state.clock()
    )


def _check_tenant(request: web.Request, state: SimulatorState) -> web.Response | None:
    """Return the error response for the auth, tenant and permission checks, if any."""
    try:
        principal = _authenticate(request, state)
    except AuthError as error:
        return error_response(401, str(error))
    tenant_id = request.match_info["tenant_id"]
    if tenant_id.lower() != state.config.tenant_id.lower():
        return error_response(404, f"Tenant not found: {tenant_id}")
    if principal.limited:
        return error_response(
            403, "Forbidden: the user's role lacks the realtime statistics permission"
        )
    return None


def _tenant_endpoint(handler: TenantHandler) -> Handler:
    """Wrap a tenant handler with the auth, tenant and permission checks."""

    async def checked(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        error = _check_tenant(request, state)
        if error is not None:
            return error
        return await handler(request, state)

    return checked


async def _post_token(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        body = json.loads(await request.read())
        principal, ttl = principal_for_token_request(body, state.config)
    except ValueError:
        return error_response(400, "Invalid request body: expected JSON")
    except RequestError as error:
        return error_response(400, str(error))
    except AuthError as error:
        return error_response(401, str(error))
    lifetime = ttl if ttl is not None else state.config.token_ttl
    token = state.tokens.issue(principal.user_id, state.clock(), lifetime)
    return web.json_response({"token": token, "ttl": lifetime})


async def _post_login(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    try:
        principal = _authenticate(request, state)
    except AuthError as error:
        return error_response(401, str(error))
    username = (
        state.config.limited_username if principal.limited else state.config.username
    )
    permissions = [] if principal.limited else ["VIEW_ALL_REALTIME_DASHBOARDS"]
    return web.json_response(
        {
            "result": {
                "userId": principal.user_id,
                "username": username,
                "firstName": "Sam",
                "lastName": "Supervisor",
                "platformRoleName": "Platform User",
                "tenants": [
                    {
                        "tenantId": state.config.tenant_id,
                        "tenantName": directory.TENANT_NAME,
                        "tenantPermissions": permissions,
                    }
                ],
                "platformPermissions": [],
            }
        }
    )


async def _get_tenant(_request: web.Request, state: SimulatorState) -> web.Response:
    config = state.config
    return web.json_response(directory.tenant_body(config.tenant_id, config.timezone))


async def _get_queues(_request: web.Request, state: SimulatorState) -> web.Response:
    return web.json_response(directory.queues_body(state.config.tenant_id))


async def _get_users(request: web.Request, state: SimulatorState) -> web.Response:
    include_offline = request.query.get("offline", "true").lower() != "false"
    body = directory.users_body(state.config.tenant_id, include_offline=include_offline)
    return web.json_response(body)


async def _get_available(_request: web.Request, state: SimulatorState) -> web.Response:
    # The `client` and `locale` query parameters are accepted and ignored.
    return web.json_response(available_body(state.config.catalogue_casing))


def _query_filters(request: web.Request) -> dict[str, object]:
    """Return the filter parameters of a query string. Other parameters are ignored."""
    filters: dict[str, object] = {}
    for key in request.query:
        if key not in KNOWN_FILTER_KEYS and key not in FILTER_KEY_ALIASES:
            continue
        values = request.query.getall(key)
        if len(values) > 1:
            raise StatisticError(400, f"Filter {key} is repeated; give it once")
        filters[key] = values[0]
    return filters


def _statistic_response(
    state: SimulatorState, statistic: Statistic, filters: Filters
) -> web.Response:
    config = state.config
    body = statistic_body(
        statistic,
        filters,
        seed=config.seed,
        now=state.clock(),
        timezone=config.timezone,
        numbers_as_strings=config.numbers_as_strings,
    )
    return web.json_response(body)


async def _get_statistic(request: web.Request, state: SimulatorState) -> web.Response:
    try:
        raw_filters = _query_filters(request)
        statistic, filters = resolve_statistic(request.match_info["name"], raw_filters)
    except StatisticError as error:
        return error_response(error.status, error.message)
    return _statistic_response(state, statistic, filters)


async def _get_user_statistic(
    request: web.Request, state: SimulatorState
) -> web.Response:
    """Serve the per-agent path, which exists only for `resource-capacity`."""
    name = request.match_info["name"]
    user_id = request.match_info["user_id"].lower()
    if name != "resource-capacity":
        return error_response(404, f"Statistic not found for a user: {name}")
    if user_id not in directory.AGENTS_BY_ID:
        return error_response(404, f"User not found: {user_id}")
    return _statistic_response(state, STATISTICS[name], Filters(resource_id=user_id))


async def _post_batch(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    config = state.config
    # A configured batch status models a server without the endpoint, whose router
    # rejects the request before any authentication.
    if config.batch_status is not None:
        headers = {"Allow": "GET"} if config.batch_status == 405 else {}  # noqa: PLR2004
        message = f"Batch endpoint unavailable: HTTP {config.batch_status}"
        return error_response(config.batch_status, message, headers=headers)
    error = _check_tenant(request, state)
    if error is not None:
        return error

    try:
        body = json.loads(await request.read())
    except ValueError:
        return error_response(400, "Invalid batch body: expected JSON")
    items = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(items, dict):
        return error_response(400, "Invalid batch body: expected an object 'requests'")
    if config.max_batch_items is not None and len(items) > config.max_batch_items:
        message = f"Too many batch items: {len(items)} > {config.max_batch_items}"
        return error_response(400, message)

    now = state.clock()
    results: dict[str, object] = {}
    for client_id, item in items.items():
        result = _batch_item(state, item, now)
        if result is not None:
            results[client_id] = result
    return web.json_response({"results": results})


def _batch_item(state: SimulatorState, item: object, now: float) -> object | None:
    """Return one item of the batch response, or None to leave it out."""
    config = state.config
    if not isinstance(item, dict) or not isinstance(item.get("statistic"), str):
        return _failed_item(
            config.batch_error_bodies, 400, "Invalid item: no statistic"
        )
    name: str = item["statistic"]
    if name in state.item_failures:
        status = state.item_failures[name]
        if status is None:
            return None
        return _failed_item(config.batch_error_bodies, status, "Simulated item failure")

    raw_filters = {key: value for key, value in item.items() if key != "statistic"}
    try:
        statistic, filters = resolve_statistic(name, raw_filters)
    except StatisticError as error:
        return _failed_item(config.batch_error_bodies, error.status, error.message)
    body = statistic_body(
        statistic,
        filters,
        seed=config.seed,
        now=now,
        timezone=config.timezone,
        numbers_as_strings=config.numbers_as_strings,
    )
    return {"status": 200, "body": body}


def _failed_item(with_body: bool, status: int, message: str) -> dict[str, object]:  # noqa: FBT001
    if with_body:
        return {"status": status, "body": {"error": {"message": message}}}
    return {"status": status}
