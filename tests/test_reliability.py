"""Tests that polling survives network, server, rate-limit and payload faults.

Each test runs a real Home Assistant against the simulator on 127.0.0.1, injects
one fault and checks what Home Assistant shows: entity states, log lines, when the
next poll goes out, reauth flows and repair issues.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
import ipaddress
import json
import logging
from pathlib import Path
import socket
import ssl
import time
from typing import Any
from unittest.mock import patch

import aiohttp
from aiohttp import web
from aiohttp.resolver import AsyncResolver
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    CONF_PASSWORD,
    CONF_USERNAME,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.helpers.update_coordinator import UpdateFailed
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.cxengage.api import (
    CountResult,
    CxEngageInvalidResponseError,
    ListResult,
    PercentageResult,
    StatisticResult,
    TimeResult,
)
from custom_components.cxengage.api.parsing import parse_statistic
from custom_components.cxengage.const import (
    CONF_AUTH_METHOD,
    CONF_BASE_URL,
    CONF_STATISTICS,
    DOMAIN,
)
from custom_components.cxengage.coordinator import CxEngageCoordinator
from simulator import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    STATISTICS,
    Fault,
    Simulator,
)
from simulator.bodies import statistic_body
from simulator.catalogue import available_body
from simulator.values import Filters

from .conftest import entry_data

FROZEN_TIME = "2026-12-04 15:00:00+00:00"
LOGGER_NAME = "custom_components.cxengage"

# The sensor of each tracked statistic (see TRACKED_STATISTICS in conftest.py). The
# coordinator sends them as batch items "0" to "4" in this order.
ENTITIES: dict[str, str] = {
    "queue-length": "sensor.cxengage_example_queue_length",
    "resources-logged-in-count": "sensor.cxengage_example_agents_logged_in",
    "queue-time": "sensor.cxengage_example_time_in_queue",
    "service-level": "sensor.cxengage_example_service_level",
    "interactions-in-queue-list": "sensor.cxengage_example_interactions_in_queue_list",
}
QUEUE_LENGTH = ENTITIES["queue-length"]
AGENTS_LOGGED_IN = ENTITIES["resources-logged-in-count"]
QUEUE_TIME = ENTITIES["queue-time"]

# Text inside the error bodies, which must never reach an entity or a log line.
BODY_MARKER = "body-marker-7f3a"
HTML_BODY = f"<html><body><h1>Bad gateway</h1>{BODY_MARKER}</body></html>"

# aiohttp before 3.14 (Home Assistant 2026.3 pins 3.13) leaves an unretrieved
# "Connection lost" error in the simulator's server when the client drops a body
# at its size cap, which the test plugin reports as an error of the test.
OLD_AIOHTTP_SKIP = pytest.mark.skipif(
    tuple(int(part) for part in aiohttp.__version__.split(".")[:2]) < (3, 14),
    reason="aiohttp before 3.14 leaves an unretrieved error in the server",
)


# Helpers.


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """Return an entity's state, failing the test when the entity has none."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state


def cxengage_states(hass: HomeAssistant) -> list[State]:
    """Return the states of the tracked statistics' sensors."""
    return [state_of(hass, entity_id) for entity_id in ENTITIES.values()]


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the errors that the coordinator logs when polls start to fail."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == LOGGER_NAME
        and record.levelno == logging.ERROR
        and record.getMessage().startswith("Error fetching")
    ]


def recovery_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return the info lines that Home Assistant's coordinator logs on recovery."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == LOGGER_NAME
        and record.levelno == logging.INFO
        and record.getMessage().endswith("data recovered")
    ]


def unexpected_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return every error line but the outage line, and every warning with a traceback.

    Home Assistant logs an exception that escapes a task or a callback at ERROR.
    """
    outages = set(outage_lines(caplog))
    return [
        record.getMessage()
        for record in caplog.records
        if (record.levelno >= logging.ERROR and record.getMessage() not in outages)
        or (record.levelno >= logging.WARNING and record.exc_info is not None)
    ]


def expected_results(simulator: Simulator) -> dict[str, StatisticResult]:
    """Compute what the simulator serves for each tracked statistic right now.

    The clock is frozen between ticks, so these are the values of the last poll.
    """
    config = simulator.config
    return {
        name: parse_statistic(
            statistic_body(
                STATISTICS[name],
                Filters(),
                seed=config.seed,
                now=simulator.clock(),
                timezone=config.timezone,
                numbers_as_strings=False,
            )
        )
        for name in ENTITIES
    }


def assert_states_match_api(
    hass: HomeAssistant, simulator: Simulator, *, skip: frozenset[str] = frozenset()
) -> None:
    """Check that each sensor shows the value the simulator serves right now."""
    for name, result in expected_results(simulator).items():
        if name in skip:
            continue
        state = state_of(hass, ENTITIES[name]).state
        match result:
            case CountResult(count=count):
                assert state == str(count), name
            case PercentageResult(percent=percent):
                assert float(state) == pytest.approx(percent), name
            case TimeResult(avg=average):
                # Milliseconds from the API, shown in seconds.
                assert average is not None
                assert float(state) == pytest.approx(average / 1000, abs=1e-3), name
            case ListResult(rows=rows):
                assert state == str(len(rows)), name


def assert_all_unavailable(hass: HomeAssistant) -> None:
    """Check that every tracked statistic's sensor is unavailable."""
    for state in cxengage_states(hass):
        assert state.state == STATE_UNAVAILABLE, state.entity_id


def assert_marker_hidden(hass: HomeAssistant, caplog: pytest.LogCaptureFixture) -> None:
    """Check that no state, attribute or log line of Home Assistant shows the body.

    The simulator's own debug lines describe the fault, body included, so they
    are left out.
    """
    for state in hass.states.async_all():
        assert BODY_MARKER not in state.state
        assert BODY_MARKER not in json.dumps(state.attributes, default=str)
    for record in caplog.records:
        if not record.name.startswith("simulator"):
            assert BODY_MARKER not in record.getMessage(), record.name


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Advance the frozen clock and run whatever became due, polls included."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # Polls run as background tasks, which the plain wait leaves running.
    await hass.async_block_till_done(wait_background_tasks=True)


async def seconds_to_next_poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    coordinator: CxEngageCoordinator,
    *,
    step: int = 10,
    limit: int = 1200,
) -> int:
    """Advance the clock in steps until the coordinator polls, and return the seconds.

    A poll counts when it starts, whether its request succeeds or not.
    """
    started = coordinator.last_poll_started
    waited = 0
    while waited < limit:
        await tick(hass, freezer, step)
        waited += step
        if coordinator.last_poll_started != started:
            return waited
    msg = f"no poll within {limit} s"
    raise AssertionError(msg)


def entry_state(entry: MockConfigEntry) -> ConfigEntryState:
    """Return an entry's state, which mypy would otherwise keep narrowed."""
    state: ConfigEntryState = entry.state
    return state


def port_of(simulator: Simulator) -> int:
    """Return the simulator's TCP port."""
    return int(simulator.base_url.rsplit(":", 1)[1])


async def set_up_entry(
    hass: HomeAssistant, entry: MockConfigEntry, **data_changes: Any
) -> CxEngageCoordinator:
    """Add the entry with changed data, set it up and return its coordinator."""
    entry.add_to_hass(hass)
    if data_changes:
        hass.config_entries.async_update_entry(
            entry, data={**entry.data, **data_changes}
        )
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    coordinator: CxEngageCoordinator = entry.runtime_data
    return coordinator


@pytest.fixture
async def loaded_entry(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
) -> MockConfigEntry:
    """Set up the simulator's entry after freezing the clock.

    Freezing jumps the loop's clock to the frozen epoch time, which would make a
    poll scheduled before it due at once.
    """
    await set_up_entry(hass, mock_config_entry)
    return mock_config_entry


@pytest.fixture
def steady_values(simulator: Simulator) -> None:
    """Freeze the simulator's clock for tests that run in real time.

    The simulated values change every 5 s, which could fall between a poll and
    the check of its values.
    """
    now = time.time()
    simulator.clock = lambda: now


@pytest.fixture
def coordinator(loaded_entry: MockConfigEntry) -> CxEngageCoordinator:
    """Return the coordinator of the loaded entry."""
    loaded: CxEngageCoordinator = loaded_entry.runtime_data
    return loaded


# Network and server faults.


type EndOutage = Callable[[], Awaitable[None]]


async def _stop_simulator(simulator: Simulator) -> EndOutage:
    """Stop the simulator, so connections are refused, until it restarts."""
    port = port_of(simulator)
    await simulator.stop()

    async def restart() -> None:
        await simulator.start(host="127.0.0.1", port=port)

    return restart


def _fault(fault: Fault) -> Callable[[Simulator], Awaitable[EndOutage]]:
    """Return an outage that responds to every batch request with `fault`."""

    async def start(simulator: Simulator) -> EndOutage:
        simulator.add_fault(fault)

        async def clear() -> None:
            simulator.clear_faults()

        return clear

    return start


OUTAGES: dict[str, Callable[[Simulator], Awaitable[EndOutage]]] = {
    "500_html": _fault(
        Fault(endpoint="batch", status=500, body=HTML_BODY, content_type="text/html")
    ),
    "500_empty": _fault(Fault(endpoint="batch", status=500, body="")),
    "502_html": _fault(
        Fault(endpoint="batch", status=502, body=HTML_BODY, content_type="text/html")
    ),
    "502_empty": _fault(Fault(endpoint="batch", status=502, body="")),
    "503_html": _fault(
        Fault(endpoint="batch", status=503, body=HTML_BODY, content_type="text/html")
    ),
    "503_json": _fault(
        Fault(endpoint="batch", status=503, body=json.dumps({"error": BODY_MARKER}))
    ),
    "504_html": _fault(
        Fault(endpoint="batch", status=504, body=HTML_BODY, content_type="text/html")
    ),
    "504_empty": _fault(Fault(endpoint="batch", status=504, body="")),
    "reset_mid_body": _fault(Fault(endpoint="batch", reset_connection=True)),
    "connection_refused": _stop_simulator,
}


@pytest.mark.parametrize("outage", list(OUTAGES))
async def test_outage_and_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    outage: str,
) -> None:
    end_outage = await OUTAGES[outage](simulator)

    # The first failed poll makes every sensor unavailable.
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30
    assert_all_unavailable(hass)
    # A second failure is the same outage: no second error line.
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30
    assert_all_unavailable(hass)
    assert len(outage_lines(caplog)) == 1
    assert recovery_lines(caplog) == []
    assert_marker_hidden(hass, caplog)

    await end_outage()
    # Two failures in a row doubled the wait.
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 60

    assert_states_match_api(hass, simulator)
    assert len(recovery_lines(caplog)) == 1
    assert len(outage_lines(caplog)) == 1
    assert unexpected_errors(caplog) == []
    # The normal interval is back after the first good poll.
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30


@pytest.mark.usefixtures("steady_values")
async def test_timeout_outage_and_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A frozen clock would also freeze the request timeout, so this test runs in
    # real time and polls by calling async_refresh, as the poll timer does.
    with patch("custom_components.cxengage.connection.REQUEST_TIMEOUT", 0.3):
        coordinator = await set_up_entry(hass, mock_config_entry)
    simulator.add_fault(Fault(endpoint="batch", delay=30, passthrough=True))

    started = time.monotonic()
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    elapsed = time.monotonic() - started

    assert elapsed < 2
    assert_all_unavailable(hass)
    path = f"/v1/tenants/{coordinator.tenant_id}/realtime-statistics/batch"
    reason = f"Could not reach the CxEngage API: POST {path} timed out after 0.3 s"
    assert outage_lines(caplog) == [f"Error fetching {coordinator.name} data: {reason}"]

    simulator.clear_faults()
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    assert_states_match_api(hass, simulator)
    assert len(recovery_lines(caplog)) == 1
    assert len(outage_lines(caplog)) == 1
    assert unexpected_errors(caplog) == []


# DNS failures. Home Assistant's session resolves names with aiodns, which sends
# its own queries and bypasses the test plugin's block on socket.getaddrinfo. So
# these tests replace the resolver and use only "localhost", which resolves
# without the network even where the replacement failed.


class FakeResolver:
    """Stand-in for aiohttp's AsyncResolver that resolves only localhost."""

    def __init__(self) -> None:
        """Start resolving localhost to 127.0.0.1."""
        self.failing = False
        self.lookups: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: int = socket.AF_INET
    ) -> list[dict[str, Any]]:
        """Return the address of localhost, or fail as AsyncResolver does."""
        self.lookups.append(host)
        if self.failing or host != "localhost":
            # aiohttp 3.14's AsyncResolver raises OSError(None, message) when a
            # lookup fails.
            raise OSError(None, "DNS lookup failed")
        return [
            {
                "hostname": host,
                "host": "127.0.0.1",
                "port": port,
                "family": family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST | socket.AI_NUMERICSERV,
            }
        ]


@pytest.fixture
def fake_resolver() -> Generator[FakeResolver]:
    """Replace the resolver of Home Assistant's aiohttp session."""
    resolver = FakeResolver()

    async def resolve(
        _self: AsyncResolver, host: str, port: int = 0, family: int = socket.AF_INET
    ) -> list[dict[str, Any]]:
        return await resolver.resolve(host, port, family)

    with patch.object(AsyncResolver, "resolve", resolve):
        yield resolver


async def test_dns_failure_outage_and_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    fake_resolver: FakeResolver,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    base_url = f"http://localhost:{port_of(simulator)}"
    coordinator = await set_up_entry(hass, mock_config_entry, base_url=base_url)
    assert fake_resolver.lookups

    fake_resolver.failing = True
    await seconds_to_next_poll(hass, freezer, coordinator)
    await seconds_to_next_poll(hass, freezer, coordinator)

    assert_all_unavailable(hass)
    assert len(outage_lines(caplog)) == 1
    assert "DNS lookup failed" in outage_lines(caplog)[0]

    fake_resolver.failing = False
    await seconds_to_next_poll(hass, freezer, coordinator)

    assert_states_match_api(hass, simulator)
    assert len(recovery_lines(caplog)) == 1
    assert unexpected_errors(caplog) == []


@pytest.mark.usefixtures("steady_values")
async def test_dns_failure_at_start(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    fake_resolver: FakeResolver,
) -> None:
    fake_resolver.failing = True
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={
            **mock_config_entry.data,
            CONF_BASE_URL: f"http://localhost:{port_of(simulator)}",
        },
    )

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert fake_resolver.lookups == ["localhost"]
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason is not None
    assert "DNS lookup failed" in mock_config_entry.reason
    assert simulator.request_counts["total"] == 0

    fake_resolver.failing = False
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED
    assert_states_match_api(hass, simulator)


# TLS failures.


@dataclass(frozen=True)
class ServerCertificate:
    """A server certificate for 127.0.0.1 and the CA that signed it."""

    ca_pem: str
    chain_file: Path


def make_certificate(directory: Path, name: str) -> ServerCertificate:
    """Create a CA and a server certificate for 127.0.0.1 signed by it.

    The certificates are valid from 2000 to 2100, because OpenSSL checks them
    against the real clock rather than the frozen one.
    """
    valid_from = datetime(2000, 1, 1, tzinfo=UTC)
    valid_to = datetime(2100, 1, 1, tzinfo=UTC)

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{name} test CA")])
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    server_key = ec.generate_private_key(ec.SECP256R1())
    server_certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from)
        .not_valid_after(valid_to)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    chain_file = directory / f"{name}.pem"
    chain_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + server_certificate.public_bytes(serialization.Encoding.PEM)
    )
    ca_pem = ca_certificate.public_bytes(serialization.Encoding.PEM).decode()
    return ServerCertificate(ca_pem=ca_pem, chain_file=chain_file)


@dataclass
class TlsEndpoint:
    """The simulator's API served over TLS on a second loopback port."""

    base_url: str
    present_untrusted: bool = False


@pytest.fixture
async def tls_endpoint(
    simulator: Simulator, tmp_path: Path
) -> AsyncGenerator[TlsEndpoint]:
    """Serve the simulator over TLS with a certificate Home Assistant trusts.

    While `present_untrusted` is set, the server presents a certificate from
    another CA instead, so the client's handshake fails verification.
    """
    trusted = make_certificate(tmp_path, "trusted")
    untrusted = make_certificate(tmp_path, "untrusted")
    untrusted_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    untrusted_context.load_cert_chain(untrusted.chain_file)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(trusted.chain_file)

    runner = simulator._runner
    assert runner is not None
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=server_context)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server)
    port = server.sockets[0].getsockname()[1]
    endpoint = TlsEndpoint(base_url=f"https://127.0.0.1:{port}")

    def choose_certificate(
        ssl_object: ssl.SSLObject | ssl.SSLSocket,
        _server_name: str | None,
        _context: ssl.SSLContext,
    ) -> None:
        if endpoint.present_untrusted:
            ssl_object.context = untrusted_context

    server_context.sni_callback = choose_certificate

    # In debug mode asyncio reports each handshake that the client aborted on the
    # server side. Home Assistant's test harness fails the test for any report, so
    # the reports of this test server are dropped.
    loop = asyncio.get_running_loop()
    report = loop.get_exception_handler()
    assert report is not None

    def drop_aborted_handshakes(
        event_loop: asyncio.AbstractEventLoop, context: dict[str, Any]
    ) -> None:
        message = context.get("message")
        if message != "Error on transport creation for incoming connection":
            report(event_loop, context)

    loop.set_exception_handler(drop_aborted_handshakes)
    client_context = ssl.create_default_context(cadata=trusted.ca_pem)
    with patch("homeassistant.util.ssl.client_context", return_value=client_context):
        yield endpoint
    loop.set_exception_handler(report)
    await site.stop()


async def test_tls_failure_outage_and_recovery(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    tls_endpoint: TlsEndpoint,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = await set_up_entry(
        hass, mock_config_entry, base_url=tls_endpoint.base_url
    )
    assert_states_match_api(hass, simulator)

    tls_endpoint.present_untrusted = True
    await seconds_to_next_poll(hass, freezer, coordinator)
    await seconds_to_next_poll(hass, freezer, coordinator)

    assert_all_unavailable(hass)
    assert len(outage_lines(caplog)) == 1
    assert "CERTIFICATE_VERIFY_FAILED" in outage_lines(caplog)[0]

    tls_endpoint.present_untrusted = False
    await seconds_to_next_poll(hass, freezer, coordinator)

    assert_states_match_api(hass, simulator)
    assert len(recovery_lines(caplog)) == 1
    assert unexpected_errors(caplog) == []


async def test_tls_to_plain_http_port_at_start(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    https_url = simulator.base_url.replace("http://", "https://")
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_BASE_URL: https_url}
    )

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert mock_config_entry.reason is not None
    assert "SSL" in mock_config_entry.reason


# Home Assistant starting while the API is down.


@pytest.mark.usefixtures("steady_values")
@pytest.mark.parametrize("failure", ["refused", "hanging"])
async def test_start_while_api_down(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    failure: str,
) -> None:
    # Real time: the setup's duration is measured, and the frozen clock would
    # freeze the request timeout.
    port = port_of(simulator)
    if failure == "refused":
        await simulator.stop()
    else:
        simulator.add_fault(Fault(delay=60, passthrough=True))
    mock_config_entry.add_to_hass(hass)

    started = time.monotonic()
    with patch("custom_components.cxengage.connection.REQUEST_TIMEOUT", 0.3):
        # Home Assistant's start sets up each integration like this.
        assert await async_setup_component(hass, DOMAIN, {})
        await hass.async_block_till_done()
    elapsed = time.monotonic() - started

    # A hanging API delays the start by one request timeout at most.
    assert elapsed < 1.5
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.states.get(QUEUE_LENGTH) is None

    if failure == "refused":
        await simulator.start(host="127.0.0.1", port=port)
    else:
        simulator.clear_faults()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert entry_state(mock_config_entry) is ConfigEntryState.LOADED
    assert_states_match_api(hass, simulator)


# Rate limits and backoff.


def http_date(moment: datetime) -> str:
    """Format a moment as an HTTP date, such as "Fri, 04 Dec 2026 15:03:00 GMT"."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


@pytest.mark.freeze_time(FROZEN_TIME)
@pytest.mark.parametrize(
    ("retry_after", "expected_wait"),
    [
        ("150", 150),
        ("date+150", 150),
        (None, 30),
        ("0", 30),
        ("-5", 30),
        ("soon", 30),
        ("date-60", 30),
        # Longer than the 5-minute backoff cap, and still honoured.
        ("900", 900),
    ],
    ids=[
        "seconds",
        "http_date",
        "no_header",
        "zero",
        "negative",
        "not_a_delay",
        "date_in_past",
        "beyond_backoff_cap",
    ],
)
async def test_rate_limit_delays_next_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    retry_after: str | None,
    expected_wait: int,
) -> None:
    # The client's clock defaults to the time.time of import time, which the
    # frozen clock does not replace, so the client reads the frozen time here.
    monkeypatch.setattr(coordinator.client, "_clock", time.time)
    next_poll = dt_util.utcnow() + timedelta(seconds=30)
    headers: dict[str, str] = {}
    if retry_after is not None and retry_after.startswith("date"):
        offset = int(retry_after.removeprefix("date"))
        headers["Retry-After"] = http_date(next_poll + timedelta(seconds=offset))
    elif retry_after is not None:
        headers["Retry-After"] = retry_after
    simulator.add_fault(Fault(endpoint="batch", status=429, headers=headers, times=1))

    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30
    assert_all_unavailable(hass)

    # Polls are checked every 10 s, so no request went out before the wait ended.
    assert await seconds_to_next_poll(hass, freezer, coordinator) == expected_wait
    assert_states_match_api(hass, simulator)
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30


async def test_backoff_across_fault_kinds(
    hass: HomeAssistant,
    simulator: Simulator,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    faults = [
        Fault(endpoint="batch", status=503),
        Fault(endpoint="batch", reset_connection=True),
        Fault(endpoint="batch", status=200, body="{not json"),
        Fault(endpoint="batch", status=429),
        Fault(endpoint="batch", status=403),
        Fault(endpoint="batch", status=502, body=HTML_BODY),
        Fault(endpoint="batch", status=500),
    ]
    waits: list[int] = []
    for fault in faults:
        simulator.clear_faults()
        simulator.add_fault(fault)
        waits.append(await seconds_to_next_poll(hass, freezer, coordinator))

    # The first failed poll comes at the normal interval, then the wait doubles
    # with each failure, whatever failed, up to 5 minutes.
    assert waits == [30, 30, 60, 120, 240, 300, 300]
    assert len(outage_lines(caplog)) == 1

    simulator.clear_faults()
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 300
    assert_states_match_api(hass, simulator)
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30
    assert len(recovery_lines(caplog)) == 1


# Authentication and permission failures.

AUTH_DATA: dict[str, dict[str, str]] = {
    "basic": {},
    "token": {CONF_AUTH_METHOD: "token"},
    "api_key": {
        CONF_AUTH_METHOD: "api_key",
        CONF_USERNAME: DEFAULT_API_KEY,
        CONF_PASSWORD: DEFAULT_API_SECRET,
    },
}


@pytest.mark.parametrize("auth_method", list(AUTH_DATA))
async def test_rejected_credentials_pause_polling_until_reauth(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    auth_method: str,
) -> None:
    await set_up_entry(hass, mock_config_entry, **AUTH_DATA[auth_method])
    tokens = simulator.request_counts["tokens"]
    simulator.add_fault(Fault(endpoint="batch", status=401))

    await tick(hass, freezer, 30)

    flows = hass.config_entries.flow.async_progress()
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == "reauth"
    assert flows[0]["context"]["entry_id"] == mock_config_entry.entry_id
    assert_all_unavailable(hass)
    if auth_method == "basic":
        assert simulator.request_counts["tokens"] == tokens
    else:
        # One renewal after the first 401, then no more tries.
        assert simulator.request_counts["tokens"] == tokens + 1

    # No request goes out, and no second flow starts, for the next 10 minutes.
    requests = simulator.request_counts["total"]
    for _ in range(20):
        await tick(hass, freezer, 30)
    assert simulator.request_counts["total"] == requests
    assert len(hass.config_entries.flow.async_progress()) == 1

    simulator.clear_faults()
    data = entry_data(simulator, **AUTH_DATA[auth_method])
    result = await hass.config_entries.flow.async_configure(
        flows[0]["flow_id"],
        {CONF_USERNAME: data[CONF_USERNAME], CONF_PASSWORD: data[CONF_PASSWORD]},
    )
    await hass.async_block_till_done()

    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert_states_match_api(hass, simulator)
    coordinator: CxEngageCoordinator = mock_config_entry.runtime_data
    assert await seconds_to_next_poll(hass, freezer, coordinator) == 30
    assert hass.config_entries.flow.async_progress() == []


async def test_expired_api_key_token_renews_silently(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = await set_up_entry(hass, mock_config_entry, **AUTH_DATA["api_key"])
    assert simulator.request_counts["tokens"] == 1

    simulator.expire_tokens()
    await seconds_to_next_poll(hass, freezer, coordinator)

    assert simulator.request_counts["tokens"] == 2
    assert_states_match_api(hass, simulator)
    assert hass.config_entries.flow.async_progress() == []
    assert outage_lines(caplog) == []


def entry_issues(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, ir.IssueEntry]:
    """Return the integration's repair issues of one entry, by issue id."""
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue_id.startswith(entry.entry_id)
    }


async def test_forbidden_issue_names_permission(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded_entry: MockConfigEntry,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    simulator.add_fault(Fault(endpoint="batch", status=403))

    # Polling goes on, backing off, rather than stopping for a reauth flow.
    waits = [await seconds_to_next_poll(hass, freezer, coordinator) for _ in range(3)]

    assert waits == [30, 30, 60]
    assert hass.config_entries.flow.async_progress() == []
    assert_all_unavailable(hass)
    assert len(outage_lines(caplog)) == 1
    issues = entry_issues(hass, loaded_entry)
    issue_id = f"{loaded_entry.entry_id}_forbidden_permission"
    assert list(issues) == [issue_id]
    issue = issues[issue_id]
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    translations = await async_get_translations(hass, "en", "issues", [DOMAIN])
    description = translations[f"component.{DOMAIN}.issues.forbidden.description"]
    assert issue.translation_placeholders is not None
    text = description.format(**issue.translation_placeholders)
    assert "VIEW_ALL_REALTIME_DASHBOARDS" in text
    assert loaded_entry.title in text
    assert coordinator.tenant_id in text


async def test_forbidden_at_start_raises_issue(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    simulator.add_fault(Fault(endpoint="available", status=403))
    mock_config_entry.add_to_hass(hass)

    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert list(entry_issues(hass, mock_config_entry)) == [
        f"{mock_config_entry.entry_id}_forbidden_permission"
    ]
    assert hass.config_entries.flow.async_progress() == []


# Batch responses with failed or odd items. The coordinator sends the tracked
# statistics as items "0" to "4", in the order of ENTITIES.

GOOD_ITEMS: dict[str, object] = {
    "0": {"status": 200, "body": {"results": {"count": 4, "unit": "count"}}},
    "1": {"status": 200, "body": {"results": {"count": 12, "unit": "count"}}},
    "2": {
        "status": 200,
        "body": {
            "results": {
                "count": 3,
                "min": 1000,
                "max": 5000,
                "total": 9000,
                "avg": 3000,
                "unit": "millis",
            }
        },
    },
    "3": {"status": 200, "body": {"results": {"percent": 87.5, "unit": "percentage"}}},
    "4": {
        "status": 200,
        "body": {"results": {"interactions": [{"id": "a"}, {"id": "b"}]}},
    },
}
# The state each item of GOOD_ITEMS gives its sensor. Durations are in seconds.
GOOD_STATES: dict[str, float] = {
    ENTITIES["queue-length"]: 4,
    ENTITIES["resources-logged-in-count"]: 12,
    ENTITIES["queue-time"]: 3.0,
    ENTITIES["service-level"]: 87.5,
    ENTITIES["interactions-in-queue-list"]: 2,
}


# Marks an item that batch_fault leaves out of the response.
OMIT = "omit this item"


def batch_fault(items: dict[str, object]) -> Fault:
    """Return a fault that responds to the batch with GOOD_ITEMS changed by `items`.

    An item id mapped to OMIT is left out of the response.
    """
    results = {**GOOD_ITEMS, **items}
    body = {"results": {key: item for key, item in results.items() if item != OMIT}}
    return Fault(endpoint="batch", status=200, body=json.dumps(body))


def assert_good_states(hass: HomeAssistant, *, skip: str) -> None:
    """Check that every sensor but `skip` shows its value from GOOD_ITEMS."""
    for entity_id, value in GOOD_STATES.items():
        if entity_id != skip:
            assert float(state_of(hass, entity_id).state) == value, entity_id


@pytest.mark.parametrize(
    "item",
    [
        {"status": 404},
        {"status": 500},
        {"status": 503, "body": {"error": {"message": BODY_MARKER}}},
        {"status": 429},
        {"status": 400},
        OMIT,
        None,
        [],
        {"status": "abc", "body": GOOD_ITEMS["1"]},
        {"status": 200, "body": HTML_BODY},
        {"status": 200},
        {"status": 200, "body": {"results": [1, 2]}},
        {"status": 200, "body": {"results": {"other": 1}}},
    ],
    ids=[
        "404",
        "500",
        "503_with_body",
        "429",
        "400",
        "missing",
        "null",
        "array",
        "status_not_a_number",
        "html_body",
        "no_body",
        "results_array",
        "no_known_value",
    ],
)
async def test_failed_item_only_affects_its_sensor(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded_entry: MockConfigEntry,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    item: object,
) -> None:
    simulator.add_fault(batch_fault({"0": item}))

    await seconds_to_next_poll(hass, freezer, coordinator)

    assert state_of(hass, QUEUE_LENGTH).state == STATE_UNAVAILABLE
    assert_good_states(hass, skip=QUEUE_LENGTH)
    assert_marker_hidden(hass, caplog)
    assert coordinator.last_update_success
    assert outage_lines(caplog) == []
    assert unexpected_errors(caplog) == []
    # Only a 404 means that the statistic is gone.
    issues = list(entry_issues(hass, loaded_entry))
    if item == {"status": 404}:
        statistic_issue = f"{loaded_entry.entry_id}_statistic_unavailable"
        assert issues == [f"{statistic_issue}_queue-length"]
    else:
        assert issues == []

    simulator.clear_faults()
    await seconds_to_next_poll(hass, freezer, coordinator)
    assert_states_match_api(hass, simulator)
    assert entry_issues(hass, loaded_entry) == {}


@pytest.mark.parametrize(
    ("item_id", "results", "expected"),
    [
        ("0", {"count": "7", "unit": "count"}, 7),
        ("0", {"count": " 7 ", "unit": "count"}, 7),
        ("0", {"count": 6.5, "unit": "count"}, 7),
        ("0", {"count": None, "unit": "count"}, STATE_UNKNOWN),
        ("0", {"unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": float("nan"), "unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": float("inf"), "unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": -3, "unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": True, "unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": "seven", "unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": "1" * 80, "unit": "count"}, STATE_UNKNOWN),
        ("0", {"count": 5, "unit": "furlongs"}, 5),
        ("0", {"count": 5}, 5),
        ("0", {"count": 5, "unit": "count", "trend": [1, {"x": None}]}, 5),
        ("2", {"count": 3, "avg": -3000, "max": 5000, "unit": "millis"}, STATE_UNKNOWN),
        ("2", {"count": 3, "avg": "2500", "unit": "millis"}, 2.5),
        ("2", {"count": 3, "avg": float("nan"), "unit": "millis"}, STATE_UNKNOWN),
        ("2", {"count": 3, "avg": None, "unit": "millis"}, STATE_UNKNOWN),
        ("3", {"percent": "91.25", "unit": "percentage"}, 91.25),
        ("3", {"percent": "91%", "unit": "percentage"}, STATE_UNKNOWN),
        ("3", {"percent": float("-inf"), "unit": "percentage"}, STATE_UNKNOWN),
        ("4", {"interactions": [1, "x", None, {"id": "a"}]}, 1),
        ("4", {"interactions": []}, 0),
    ],
    ids=[
        "count_as_string",
        "count_as_padded_string",
        "count_fraction_rounded",
        "count_null",
        "count_missing",
        "count_nan",
        "count_infinity",
        "count_negative",
        "count_boolean",
        "count_not_a_number",
        "count_too_long",
        "unit_unknown",
        "unit_missing",
        "extra_fields",
        "duration_negative",
        "duration_as_string",
        "duration_nan",
        "duration_null",
        "percent_as_string",
        "percent_with_sign",
        "percent_negative_infinity",
        "rows_not_objects",
        "rows_empty",
    ],
)
async def test_odd_values(
    hass: HomeAssistant,
    simulator: Simulator,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    item_id: str,
    results: dict[str, object],
    expected: float | str,
) -> None:
    entity_id = list(ENTITIES.values())[int(item_id)]
    item = {"status": 200, "body": {"results": results, "debug": {"x": 1}}, "x": 2}
    simulator.add_fault(batch_fault({item_id: item}))

    await seconds_to_next_poll(hass, freezer, coordinator)

    state = state_of(hass, entity_id).state
    if isinstance(expected, str):
        assert state == expected
    else:
        assert float(state) == pytest.approx(expected)
    assert_good_states(hass, skip=entity_id)
    assert coordinator.last_update_success
    assert unexpected_errors(caplog) == []


# Unusable responses, which fail the whole poll.

OVERSIZED_BODY = json.dumps({"results": {}, "padding": "x" * (9 * 1024 * 1024)})


@pytest.mark.parametrize(
    "fault",
    [
        Fault(endpoint="batch", status=200, body="{not json"),
        Fault(endpoint="batch", truncate=True),
        Fault(endpoint="batch", status=200, body=""),
        Fault(endpoint="batch", status=200, body=HTML_BODY, content_type="text/html"),
        Fault(endpoint="batch", status=200, body=b'\xff\xfe{"results": {}}'),
        Fault(endpoint="batch", status=200, body="[" * 100_000),
        Fault(endpoint="batch", status=200, body="[]"),
        Fault(endpoint="batch", status=200, body='"results"'),
        Fault(endpoint="batch", status=200, body="null"),
        Fault(endpoint="batch", status=200, body="NaN"),
        Fault(endpoint="batch", status=200, body='{"results": []}'),
        Fault(endpoint="batch", status=200, body='{"result": {"0": {}}}'),
        pytest.param(
            Fault(endpoint="batch", status=200, body=OVERSIZED_BODY),
            marks=OLD_AIOHTTP_SKIP,
        ),
        Fault(endpoint="batch", status=302, headers={"Location": "/elsewhere"}),
    ],
    ids=[
        "invalid_json",
        "truncated_json",
        "empty",
        "html_page",
        "invalid_utf8",
        "nested_too_deeply",
        "array",
        "string",
        "null",
        "nan",
        "results_array",
        "results_missing",
        "many_megabytes",
        "redirect",
    ],
)
async def test_unusable_response_fails_poll(
    hass: HomeAssistant,
    simulator: Simulator,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    fault: Fault,
) -> None:
    simulator.add_fault(fault)

    await seconds_to_next_poll(hass, freezer, coordinator)

    assert_all_unavailable(hass)
    # Nothing but the client's invalid-response error came out of the client.
    error = coordinator.last_exception
    assert isinstance(error, UpdateFailed)
    assert isinstance(error.__cause__, CxEngageInvalidResponseError)
    assert len(outage_lines(caplog)) == 1
    assert unexpected_errors(caplog) == []

    simulator.clear_faults()
    await seconds_to_next_poll(hass, freezer, coordinator)
    assert_states_match_api(hass, simulator)
    assert len(recovery_lines(caplog)) == 1


@OLD_AIOHTTP_SKIP
async def test_oversized_response_names_limit(
    hass: HomeAssistant,
    simulator: Simulator,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.add_fault(Fault(endpoint="batch", status=200, body=OVERSIZED_BODY))

    await seconds_to_next_poll(hass, freezer, coordinator)

    assert "over the 8388608 byte limit" in str(coordinator.last_exception)


# The tenant's catalogue changing between polls.


async def test_catalogue_change_while_running(
    hass: HomeAssistant,
    simulator: Simulator,
    loaded_entry: MockConfigEntry,
    coordinator: CxEngageCoordinator,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The tenant retires service-level, renames queue-length and adds a statistic.
    catalogue = available_body("camel")
    del catalogue["service-level"]
    renamed = catalogue.pop("queue-length")
    assert isinstance(renamed, dict)
    catalogue["queue-length-v2"] = {**renamed, "name": "queue-length-v2"}
    catalogue["callbacks-waiting-count"] = {
        "name": "callbacks-waiting-count",
        "userFriendlyName": "Callbacks Waiting",
        "optionalFilters": [],
        "responseKeys": {"count": "count"},
    }
    simulator.add_fault(
        Fault(endpoint="available", status=200, body=json.dumps(catalogue))
    )
    simulator.fail_batch_item("service-level", 404)
    simulator.fail_batch_item("queue-length", 404)
    retired = {"queue-length", "service-level"}
    issue_ids = {
        f"{loaded_entry.entry_id}_statistic_unavailable_{name}" for name in retired
    }

    await seconds_to_next_poll(hass, freezer, coordinator)

    assert loaded_entry.state is ConfigEntryState.LOADED
    assert set(entry_issues(hass, loaded_entry)) == issue_ids
    for name in retired:
        assert state_of(hass, ENTITIES[name]).state == STATE_UNAVAILABLE
    assert_states_match_api(hass, simulator, skip=frozenset(retired))

    # A restart reads the new catalogue, and the options offer the new names.
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert loaded_entry.state is ConfigEntryState.LOADED
    assert set(entry_issues(hass, loaded_entry)) == issue_ids
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["data_schema"] is not None
    options = result["data_schema"].schema[CONF_STATISTICS].config["options"]
    offered = {option["value"] for option in options}
    assert {"queue-length-v2", "callbacks-waiting-count"} <= offered
    # The retired ones stay listed, so that the user can untrack them.
    assert retired <= offered
    hass.config_entries.options.async_abort(result["flow_id"])
    assert unexpected_errors(caplog) == []
