# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Fixtures of the API client tests, which need no Home Assistant instance."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import aiohttp
import pytest

from custom_components.cxengage.api import AuthMethod, Credentials, CxEngageClient
from simulator import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
    Simulator,
    SimulatorConfig,
)

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable

# 2023-11-14T22:13:20Z. A frozen simulator clock keeps the generated values stable.
FROZEN_TIME = 1_700_000_000.0

CREDENTIALS = {
    AuthMethod.BASIC: Credentials(AuthMethod.BASIC, DEFAULT_USERNAME, DEFAULT_PASSWORD),
    AuthMethod.TOKEN: Credentials(AuthMethod.TOKEN, DEFAULT_USERNAME, DEFAULT_PASSWORD),
    AuthMethod.API_KEY: Credentials(
        AuthMethod.API_KEY, DEFAULT_API_KEY, DEFAULT_API_SECRET
    ),
}


class FakeClock:
    """Clock in seconds since the epoch that a test moves by hand."""

    def __init__(self, now: float = FROZEN_TIME) -> None:
        """Start the clock at `now`."""
        self.now = now

    def __call__(self) -> float:
        """Return the current fake time."""
        return self.now


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Replace the parent fixture, which starts Home Assistant for every test."""


@pytest.fixture
def sim_config() -> SimulatorConfig:
    """Return the simulator settings. Tests change them through `sim.config`."""
    return SimulatorConfig()


@pytest.fixture
async def sim(
    sim_config: SimulatorConfig, socket_enabled: None
) -> AsyncGenerator[Simulator]:
    """Run the fake CxEngage API on a free loopback port with a frozen clock."""
    simulator = Simulator(sim_config)
    simulator.clock = FakeClock()
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """Open a real aiohttp session and close it after the test.

    Home Assistant's test plugin blocks sockets. `socket_enabled` allows them again,
    and its allow-list still limits connections to 127.0.0.1.
    """
    async with aiohttp.ClientSession() as client_session:
        yield client_session


type ClientFactory = Callable[..., CxEngageClient]


@pytest.fixture
def make_client(sim: Simulator, session: aiohttp.ClientSession) -> ClientFactory:
    """Return a factory of clients for the simulator's tenant.

    Keyword arguments override the client's arguments. `method` picks one of the
    default credentials.
    """

    def factory(
        method: AuthMethod = AuthMethod.BASIC, **overrides: object
    ) -> CxEngageClient:
        arguments: dict[str, object] = {
            "base_url": sim.base_url,
            "tenant_id": DEFAULT_TENANT_ID,
            "credentials": CREDENTIALS[method],
            "clock": FakeClock(),
        }
        arguments.update(overrides)
        return CxEngageClient(session, **cast("dict[str, Any]", arguments))

    return factory
