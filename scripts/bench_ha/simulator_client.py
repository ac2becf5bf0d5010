"""Client of the simulator's control endpoints, used from the worker's event loop."""

from __future__ import annotations

import time
from typing import Final

import aiohttp

from simulator import DEFAULT_PASSWORD, DEFAULT_USERNAME

_TIMEOUT: Final = aiohttp.ClientTimeout(total=30)


class SimulatorControl:
    """Sets the simulator's clock and reads its counters and CPU time.

    It has its own aiohttp session, apart from Home Assistant's, and sends nothing
    while a poll is measured.
    """

    def __init__(self, base_url: str) -> None:
        """Bind to the simulator at `base_url`; the session opens on first use."""
        self._base_url = base_url
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The session, created on first use inside the running event loop."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        return self._session

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None:
            await self._session.close()

    async def set_clock(self, moment: float | None) -> None:
        """Freeze the simulator's clock at `moment` (epoch seconds), or unfreeze it."""
        url = f"{self._base_url}/_bench/clock"
        async with self.session.put(url, json={"time": moment}) as response:
            response.raise_for_status()

    async def reset_counters(self) -> None:
        """Clear the simulator's request counters."""
        url = f"{self._base_url}/_simulator/reset-counters"
        async with self.session.post(url) as response:
            response.raise_for_status()

    async def counters(self) -> dict[str, int]:
        """Return the requests per endpoint since the last reset, without zeros."""
        async with self.session.get(
            f"{self._base_url}/_simulator/counters"
        ) as response:
            response.raise_for_status()
            counts: dict[str, int] = await response.json()
        return {name: count for name, count in counts.items() if count}

    async def cpu_time(self) -> float:
        """Return the simulator process's CPU time in seconds."""
        async with self.session.get(f"{self._base_url}/_bench/cpu") as response:
            response.raise_for_status()
            body: dict[str, float] = await response.json()
        return body["process_time"]

    async def time_requests(self, url: str, samples: int) -> list[float]:
        """Time `samples` authenticated GETs of `url`, after one that is not timed."""
        auth = aiohttp.BasicAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD, encoding="utf-8")
        durations: list[float] = []
        for index in range(samples + 1):
            started = time.perf_counter()
            async with self.session.get(url, auth=auth) as response:
                response.raise_for_status()
                await response.read()
            if index:
                durations.append(time.perf_counter() - started)
        return durations
