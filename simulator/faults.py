"""Injected faults: error statuses, odd bodies, delays and broken connections."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
import json
import logging
from typing import TYPE_CHECKING, Final

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

# Names of the API endpoints. Faults, counters and request records use them.
ENDPOINTS: Final = (
    "tokens",
    "login",
    "tenant",
    "available",
    "statistic",
    "batch",
    "queues",
    "users",
)
ANY_ENDPOINT: Final = "any"

_MIN_STATUS: Final = 100
_MAX_STATUS: Final = 599


@dataclass
class Fault:
    """A fault that replaces or damages the responses of one endpoint.

    A fault either sends its own response or wraps the normal one. It wraps the
    normal response when `passthrough` is set, or when `truncate` or
    `reset_connection` is set without a `body`. A wrapped response keeps its status
    and content type, so `status` and `content_type` apply only to a fault's own
    response.

    Attributes:
        endpoint: Endpoint name from `ENDPOINTS`, or "any" for every API endpoint.
        status: HTTP status of the fault's own response.
        body: Body of the fault's own response. None sends the JSON error body
            `{"error": {"message": ...}}`.
        content_type: Content-Type of the fault's own response.
        headers: Extra response headers, for example `{"Retry-After": "5"}`.
        delay: Seconds to wait before responding, to provoke client timeouts.
        times: Number of requests the fault applies to. None keeps it until the
            faults are cleared.
        reset_connection: Announce the full Content-Length, send the headers and
            half of the body, then abort the connection.
        truncate: Send only the first half of the body, with a Content-Length that
            matches the shorter body, so the client reads a complete but cut
            response (for example truncated JSON).
        passthrough: Send the normal response after `delay`, adding `headers`.
            This gives a slow but correct response.

    """

    endpoint: str = ANY_ENDPOINT
    status: int = 500
    body: bytes | str | None = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int | None = None
    reset_connection: bool = False
    truncate: bool = False
    passthrough: bool = False

    def __post_init__(self) -> None:
        """Reject values that no request could use."""
        if self.endpoint != ANY_ENDPOINT and self.endpoint not in ENDPOINTS:
            allowed = ", ".join((ANY_ENDPOINT, *ENDPOINTS))
            msg = f"Invalid fault endpoint {self.endpoint!r}; expected one of {allowed}"
            raise ValueError(msg)
        if not _MIN_STATUS <= self.status <= _MAX_STATUS:
            msg = f"Invalid fault status {self.status}; expected 100 to 599"
            raise ValueError(msg)
        if self.delay < 0:
            msg = f"Invalid fault delay {self.delay}; expected seconds >= 0"
            raise ValueError(msg)
        if self.times is not None and self.times < 1:
            msg = f"Invalid fault times {self.times}; expected None or >= 1"
            raise ValueError(msg)

    @property
    def wraps_response(self) -> bool:
        """Whether the fault damages the normal response instead of replacing it."""
        damages = self.truncate or self.reset_connection
        return self.passthrough or (self.body is None and damages)

    def body_bytes(self) -> bytes:
        """Return the body of the fault's own response."""
        if self.body is None:
            message = f"Simulated fault: HTTP {self.status}"
            return json.dumps({"error": {"message": message}}).encode()
        if isinstance(self.body, str):
            return self.body.encode()
        return self.body

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Fault:
        """Build a fault from a JSON object, as the control endpoint receives it.

        Raises:
            ValueError: A field is unknown or has the wrong type or value.

        """
        names = {item.name for item in dataclasses.fields(cls)}
        unknown = sorted(set(data) - names)
        if unknown:
            msg = f"Unknown fault fields: {', '.join(unknown)}"
            raise ValueError(msg)
        checks: dict[str, tuple[type, ...]] = {
            "endpoint": (str,),
            "status": (int,),
            "body": (str, type(None)),
            "content_type": (str,),
            "headers": (dict,),
            "delay": (int, float),
            "times": (int, type(None)),
            "reset_connection": (bool,),
            "truncate": (bool,),
            "passthrough": (bool,),
        }
        for name, value in data.items():
            wrong_bool = isinstance(value, bool) and bool not in checks[name]
            if wrong_bool or not isinstance(value, checks[name]):
                msg = f"Invalid type for fault field {name!r}: {type(value).__name__}"
                raise ValueError(msg)
        headers = data.get("headers", {})
        if not isinstance(headers, dict) or not all(
            isinstance(key, str) and isinstance(value, str)
            for key, value in headers.items()
        ):
            msg = "Invalid fault headers; expected an object of strings"
            raise ValueError(msg)
        return cls(**data)  # type: ignore[arg-type]

    def to_json(self) -> dict[str, object]:
        """Return the fault as a JSON object, with bytes bodies decoded as UTF-8."""
        data = dataclasses.asdict(self)
        if isinstance(self.body, bytes):
            data["body"] = self.body.decode(errors="replace")
        return data


class FaultList:
    """Faults in the order added. Each request uses the first one that matches."""

    def __init__(self) -> None:
        """Create an empty list."""
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Append a copy of `fault`, so that later changes by the caller do nothing."""
        self._faults.append(dataclasses.replace(fault, headers=dict(fault.headers)))

    def clear(self) -> None:
        """Remove every fault."""
        self._faults.clear()

    def snapshot(self) -> list[Fault]:
        """Return copies of the faults, with `times` set to the remaining count."""
        return [dataclasses.replace(fault) for fault in self._faults]

    def take(self, endpoint: str) -> Fault | None:
        """Return the first fault for `endpoint` and use up one of its `times`."""
        for index, fault in enumerate(self._faults):
            if fault.endpoint not in {ANY_ENDPOINT, endpoint}:
                continue
            if fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    del self._faults[index]
            return fault
        return None


type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


LOGGER = logging.getLogger(__name__)

# Bodies larger than this are streamed in pieces of this size.
STREAM_CHUNK_BYTES = 64 * 1024


async def respond_with_fault(
    fault: Fault,
    request: web.Request,
    handler: Handler,
    pause: Callable[[float], Awaitable[None]],
) -> web.StreamResponse:
    """Send the response that `fault` describes, calling `handler` if it wraps it."""
    await pause(fault.delay)

    if fault.wraps_response:
        response = await _normal_response(request, handler)
        if fault.passthrough and not (fault.truncate or fault.reset_connection):
            response.headers.update(fault.headers)
            return response
        status = response.status
        body = response.body if isinstance(response.body, bytes) else b""
        content_type = response.headers.get("Content-Type", fault.content_type)
    else:
        status = fault.status
        body = fault.body_bytes()
        content_type = fault.content_type

    headers = {"Content-Type": content_type, **fault.headers}
    if fault.reset_connection:
        return await _reset_mid_body(request, status, headers, body)
    if fault.truncate:
        body = body[: len(body) // 2]
    if len(body) > STREAM_CHUNK_BYTES:
        return await _stream_body(request, status, headers, body)
    return web.Response(status=status, body=body, headers=headers)


async def _stream_body(
    request: web.Request, status: int, headers: dict[str, str], body: bytes
) -> web.StreamResponse:
    """Send a large body in chunks, and stop quietly if the client hangs up.

    A client that caps response sizes closes the connection part-way; writing
    the rest in one piece would leave aiohttp with an unretrieved write error.
    """
    response = web.StreamResponse(status=status, headers=headers)
    response.content_length = len(body)
    await response.prepare(request)
    try:
        for start in range(0, len(body), STREAM_CHUNK_BYTES):
            await response.write(body[start : start + STREAM_CHUNK_BYTES])
        await response.write_eof()
    except ConnectionError as error:
        LOGGER.debug("Client closed %s mid-body: %s", request.path, error)
    return response


async def _normal_response(request: web.Request, handler: Handler) -> web.Response:
    try:
        response = await handler(request)
    except web.HTTPException as error:
        response = error
    if not isinstance(response, web.Response):
        msg = f"Cannot damage a streamed response of {request.path}"
        raise TypeError(msg)
    return response


async def _reset_mid_body(
    request: web.Request, status: int, headers: dict[str, str], body: bytes
) -> web.StreamResponse:
    """Send the headers and half of `body`, then abort the connection."""
    response = web.StreamResponse(status=status, headers=headers)
    response.content_length = len(body)
    await response.prepare(request)
    await response.write(body[: max(1, len(body) // 2)])
    if request.transport is not None:
        request.transport.abort()
    return response
