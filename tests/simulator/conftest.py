"""Fixtures of the simulator tests: a running simulator and an HTTP client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiohttp
import pytest

from simulator import Simulator, SimulatorConfig

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

# 10:30:02 in US/Eastern (winter, UTC-5): a weekday morning, 2 s into a 5 s bucket.
FROZEN_TIME = datetime(2026, 1, 15, 15, 30, 2, tzinfo=UTC).timestamp()


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the parent conftest's fixture: these tests need no Home Assistant."""


@pytest.fixture(autouse=True)
def allow_sockets(socket_enabled: None) -> None:
    """Let the tests open sockets.

    The Home Assistant test plugin blocks socket creation unless a test requests
    pytest-socket's `socket_enabled` fixture. Connections stay limited to 127.0.0.1.
    """


@pytest.fixture
def sim_config() -> SimulatorConfig:
    """Return the simulator's settings. A test module may override this fixture."""
    return SimulatorConfig()


@pytest.fixture
async def sim(sim_config: SimulatorConfig) -> AsyncIterator[Simulator]:
    """Run a simulator on a free loopback port, with its clock frozen."""
    simulator = Simulator(sim_config)
    simulator.clock = lambda: FROZEN_TIME
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return an HTTP client session that is closed after the test."""
    async with aiohttp.ClientSession() as client:
        yield client
