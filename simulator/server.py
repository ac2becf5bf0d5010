"""The `Simulator`: a fake CxEngage Reporting API server with a Python control API."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from aiohttp import web

from simulator.app import create_app
from simulator.config import SimulatorConfig
from simulator.state import RequestRecord, SimulatorState

if TYPE_CHECKING:
    from collections import Counter
    from collections.abc import Callable
    from types import TracebackType

    from simulator.faults import Fault

_LOGGER = logging.getLogger(__name__)

# Seconds that stop() waits for requests in progress before cancelling them. Delays
# and latency end at once on stop, so only a handler in the middle of writing waits.
_SHUTDOWN_TIMEOUT = 1.0


class Simulator:
    """A fake CxEngage Reporting API server on a local port.

    Use it as `async with Simulator(config) as sim:` or call `start()` and
    `stop()`. Its state (faults, counters, tokens, configuration) can change while
    it runs.
    """

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        """Create a stopped simulator with `config`, or with the defaults."""
        self._state = SimulatorState(config or SimulatorConfig())
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    @property
    def config(self) -> SimulatorConfig:
        """The configuration, read again on each request."""
        return self._state.config

    @config.setter
    def config(self, config: SimulatorConfig) -> None:
        self._state.config = config

    @property
    def clock(self) -> Callable[[], float]:
        """The function that returns the current epoch time in seconds.

        It defaults to `time.time()`. Replace it to freeze the values and the token
        expiry checks, for example `sim.clock = lambda: 1_700_000_000.0`.
        """
        return self._state.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._state.clock = clock

    @property
    def base_url(self) -> str:
        """The server's URL without a trailing slash, e.g. "http://127.0.0.1:8900".

        Raises:
            RuntimeError: The simulator is not running.

        """
        if self._base_url is None:
            msg = "Simulator is not running; call start() first"
            raise RuntimeError(msg)
        return self._base_url

    @property
    def request_counts(self) -> Counter[str]:
        """Requests per endpoint name, plus "total", without control requests."""
        return self._state.request_counts

    @property
    def requests(self) -> list[RequestRecord]:
        """The last 10 000 API requests, oldest first."""
        return list(self._state.requests)

    @property
    def faults(self) -> list[Fault]:
        """Copies of the active faults, with `times` set to the remaining count."""
        return self._state.faults.snapshot()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Start serving on `host` and `port`. Port 0 picks a free port.

        Raises:
            RuntimeError: The simulator is already running.
            OSError: The address cannot be bound.

        """
        if self._runner is not None:
            msg = "Simulator is already running"
            raise RuntimeError(msg)
        self._state.stopping.clear()
        runner = web.AppRunner(
            create_app(self._state),
            handler_cancellation=True,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
            access_log=None,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        bound_host, bound_port = runner.addresses[0][:2]
        self._runner = runner
        self._base_url = f"http://{bound_host}:{bound_port}"
        _LOGGER.debug("Simulator listening on %s", self._base_url)

    async def stop(self) -> None:
        """Stop serving and close every connection. Does nothing when stopped."""
        if self._runner is None:
            return
        self._state.stopping.set()
        runner, self._runner, self._base_url = self._runner, None, None
        await runner.cleanup()
        _LOGGER.debug("Simulator stopped")

    async def __aenter__(self) -> Self:
        """Start on 127.0.0.1 with a free port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the simulator."""
        await self.stop()

    def add_fault(self, fault: Fault) -> None:
        """Add a fault after the existing ones. The first matching fault applies."""
        self._state.faults.add(fault)

    def clear_faults(self) -> None:
        """Remove every fault."""
        self._state.faults.clear()

    def fail_batch_item(self, statistic: str, status: int | None) -> None:
        """Make every batch item for `statistic` fail.

        Args:
            statistic: Statistic name, for example "queue-length".
            status: Status of the failed items (`{"status": status}`), or None to
                leave the items out of the batch response.

        """
        self._state.item_failures[statistic] = status

    def clear_item_failures(self) -> None:
        """Let every batch item succeed again."""
        self._state.item_failures.clear()

    def expire_tokens(self) -> None:
        """Reject every token issued so far with 401. New tokens work."""
        self._state.tokens.revoke_all()

    def reset_counters(self) -> None:
        """Clear `request_counts` and `requests`."""
        self._state.reset_counters()
