"""State shared by the simulator's request handlers and its Python API."""

from __future__ import annotations

import asyncio
from collections import Counter, deque
import contextlib
import time
from typing import TYPE_CHECKING, Final, NamedTuple

from simulator.auth import TokenIssuer
from simulator.faults import FaultList

if TYPE_CHECKING:
    from collections.abc import Callable

    from simulator.config import SimulatorConfig

MAX_RECORDS: Final = 10_000


def system_time() -> float:
    """Return `time.time()`, looked up on each call so clock patches apply."""
    return time.time()


class RequestRecord(NamedTuple):
    """One API request as the simulator received it.

    Attributes:
        method: HTTP method.
        endpoint: Endpoint name, or "unknown" for a path no route matches.
        path: URL path without the query string.
        query: Query parameters. A repeated key keeps its last value.
        auth_scheme: Lowercase scheme word of the Authorization header ("basic",
            "token", ...), or None without the header.
        batch_size: Number of items of a batch request, or None.

    """

    method: str
    endpoint: str
    path: str
    query: dict[str, str]
    auth_scheme: str | None
    batch_size: int | None


class SimulatorState:
    """Configuration, faults, tokens and counters of one simulator."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Create the state for `config`."""
        self.config = config
        self.clock: Callable[[], float] = system_time
        self.faults = FaultList()
        self.item_failures: dict[str, int | None] = {}
        self.tokens = TokenIssuer()
        self.request_counts: Counter[str] = Counter()
        self.requests: deque[RequestRecord] = deque(maxlen=MAX_RECORDS)
        self.stopping = asyncio.Event()

    def record(self, record: RequestRecord) -> None:
        """Count and store one API request."""
        self.request_counts[record.endpoint] += 1
        self.request_counts["total"] += 1
        self.requests.append(record)

    def reset_counters(self) -> None:
        """Forget every counted and recorded request."""
        self.request_counts.clear()
        self.requests.clear()

    async def pause(self, seconds: float) -> None:
        """Sleep for `seconds`, but return at once when the simulator stops."""
        if seconds <= 0:
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self.stopping.wait()
