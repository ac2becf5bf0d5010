"""Set up and check the demo Home Assistant through its HTTP API.

scripts/demo and scripts/smoke run this module inside the project environment:

    python -m scripts.demo_ha setup   # onboard, then add the CxEngage entry
    python -m scripts.demo_ha smoke   # check config flow errors and the sensors

Each step uses the HTTP endpoints that the Home Assistant frontend uses: the
onboarding API, the login flow, /auth/token and the config flow API.
"""

# ruff: noqa: INP001 - scripts/ contains commands, not an importable package.

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from http import HTTPStatus
import json
import logging
import socket
import sys
import time
from typing import TYPE_CHECKING, Any, Final

import aiohttp

from custom_components.cxengage.const import DEFAULT_SCAN_INTERVAL, DOMAIN
from simulator import (
    BUCKET_SECONDS,
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_USERNAME,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_LOGGER = logging.getLogger("demo_ha")

DEFAULT_HA_URL: Final = "http://127.0.0.1:8123"
DEFAULT_SIMULATOR_URL: Final = "http://127.0.0.1:8900"
LISTEN_HOST: Final = "127.0.0.1"
DEFAULT_DEMO_USERNAME: Final = "demo"
DEFAULT_DEMO_PASSWORD: Final = "demo-password"  # noqa: S105 - local demo account

# Statistics added to the config flow's preselection, so that the demo shows a few
# more sensors than the default set-up does.
EXTRA_STATISTICS: Final = (
    "resources-busy-count",
    "resources-away-count",
    "abandon-rate",
)
MIN_SENSORS: Final = 5
WRONG_PASSWORD: Final = "wrong-password"  # noqa: S105 - rejected on purpose
ALREADY_CONFIGURED_CHECK: Final = "same tenant again aborts with already_configured"

# Onboarding's core_config step starts config flows for these integrations in
# background tasks. Their packages are not installed (Home Assistant runs with
# --skip-pip) and they would contact services on the internet, so the demo removes
# their entries. Only google_translate adds one, because the met and radio_browser
# flows fail to load without their packages.
ONBOARDING_ENTRY_DOMAINS: Final = ("google_translate",)
UNWANTED_DOMAINS: Final = (*ONBOARDING_ENTRY_DOMAINS, "met", "radio_browser")
ONBOARDING_ENTRIES_TIMEOUT: Final = 15.0

POLL_SECONDS: Final = DEFAULT_SCAN_INTERVAL.total_seconds()
# Seconds one HTTP request to Home Assistant may take. A config flow step tests the
# connection to CxEngage, which the integration limits to 15 seconds per request.
REQUEST_TIMEOUT: Final = 60.0


class DemoError(Exception):
    """A set-up step or a check failed. The message names the step and the reason."""


@dataclass(frozen=True)
class Account:
    """Sign-in details of a Home Assistant user."""

    name: str
    username: str
    password: str


@dataclass(frozen=True)
class Tokens:
    """Tokens returned by /auth/token."""

    access: str
    refresh: str


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one smoke check."""

    name: str
    passed: bool
    detail: str


class HomeAssistantApi:
    """A small client for the HTTP API of one Home Assistant instance."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        """Send requests to `base_url`, e.g. "http://127.0.0.1:8123", via `session`."""
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.client_id = f"{self.base_url}/"
        self.redirect_uri = f"{self.base_url}/?auth_callback=1"
        self.access_token: str | None = None

    async def send(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        form: Mapping[str, str] | None = None,
        expected: Sequence[int] = (HTTPStatus.OK,),
    ) -> tuple[int, str]:
        """Send one request and return the status and the body text.

        `body` is sent as JSON and `form` as a urlencoded form.

        Raises:
            DemoError: the status is not in `expected`.
        """
        headers = {}
        if self.access_token is not None:
            headers["Authorization"] = f"Bearer {self.access_token}"
        async with self.session.request(
            method,
            f"{self.base_url}{path}",
            json=body,
            data=None if form is None else dict(form),
            headers=headers,
        ) as response:
            text = await response.text()
        if response.status not in expected:
            msg = f"{method} {path} returned HTTP {response.status}: {text[:500]}"
            raise DemoError(msg)
        return response.status, text

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: object = None,
        form: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request that must return 200 and return the decoded JSON body.

        Raises:
            DemoError: the status is not 200 or the body is not JSON.
        """
        _, text = await self.send(method, path, body=body, form=form)
        try:
            return json.loads(text)
        except ValueError as err:
            msg = f"{method} {path} returned a body that is not JSON: {text[:200]}"
            raise DemoError(msg) from err

    async def websocket_command(self, message: Mapping[str, object]) -> Any:
        """Send one command over the websocket API and return its result.

        Raises:
            DemoError: authentication failed or the command returned an error.
        """
        url = f"ws{self.base_url.removeprefix('http')}/api/websocket"
        async with self.session.ws_connect(url) as websocket:
            await websocket.receive_json()  # auth_required
            await websocket.send_json(
                {"type": "auth", "access_token": self.access_token}
            )
            reply = await websocket.receive_json()
            if reply.get("type") != "auth_ok":
                msg = f"Websocket authentication failed: {reply}"
                raise DemoError(msg)
            await websocket.send_json({"id": 1, **message})
            reply = await websocket.receive_json()
            while reply.get("id") != 1 or reply.get("type") != "result":
                reply = await websocket.receive_json()
        if not reply["success"]:
            msg = f"Websocket command {message['type']} failed: {reply.get('error')}"
            raise DemoError(msg)
        return reply["result"]

    async def wait_until_up(self, max_wait: float) -> None:
        """Wait until the HTTP server responds.

        Home Assistant opens its port once the frontend and the onboarding API are
        set up.

        Raises:
            DemoError: no answer within `max_wait` seconds.
        """
        deadline = time.monotonic() + max_wait
        while True:
            try:
                await self.onboarding_steps_done()
            except (aiohttp.ClientError, DemoError) as err:
                if time.monotonic() > deadline:
                    msg = (
                        f"Home Assistant at {self.base_url} did not answer "
                        f"within {max_wait:.0f} seconds: {err}"
                    )
                    raise DemoError(msg) from err
                await asyncio.sleep(1)
            else:
                return

    async def onboarding_steps_done(self) -> set[str] | None:
        """Return the finished onboarding steps, or None when onboarding is over."""
        # Home Assistant removes the onboarding API once every step is done.
        status, text = await self.send(
            "GET", "/api/onboarding", expected=(HTTPStatus.OK, HTTPStatus.NOT_FOUND)
        )
        if status == HTTPStatus.NOT_FOUND:
            return None
        return {step["step"] for step in json.loads(text) if step["done"]}

    async def exchange_code(self, code: str) -> Tokens:
        """Exchange an authorization code for tokens and use the new access token."""
        body = await self.request(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        )
        tokens = Tokens(access=body["access_token"], refresh=body["refresh_token"])
        self.access_token = tokens.access
        return tokens

    async def log_in(self, account: Account) -> Tokens:
        """Sign in through the login flow, as the frontend's login page does.

        Raises:
            DemoError: Home Assistant rejected the username or the password.
        """
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            body={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            body={
                "client_id": self.client_id,
                "username": account.username,
                "password": account.password,
            },
        )
        if result.get("type") != "create_entry":
            msg = (
                f"Signing in to {self.base_url} as {account.username!r} failed with "
                f"errors {result.get('errors')}. If another account onboarded this "
                "Home Assistant, start again with scripts/demo --fresh."
            )
            raise DemoError(msg)
        return await self.exchange_code(result["result"])

    async def revoke(self, tokens: Tokens) -> None:
        """Revoke the refresh token, so that a run leaves no session behind."""
        await self.send("POST", "/auth/revoke", form={"token": tokens.refresh})
        self.access_token = None

    async def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """Return the config entries of `domain`."""
        entries: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    async def remove_config_entry(self, entry_id: str) -> None:
        """Remove a config entry."""
        await self.request("DELETE", f"/api/config/config_entries/entry/{entry_id}")

    async def start_flow(self, handler: str) -> dict[str, Any]:
        """Start a config flow, as the "Add integration" dialog does."""
        result: dict[str, Any] = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            body={"handler": handler, "show_advanced_options": False},
        )
        return result

    async def submit_flow(
        self, flow_id: str, user_input: Mapping[str, object]
    ) -> dict[str, Any]:
        """Submit the form of a config flow's current step."""
        result: dict[str, Any] = await self.request(
            "POST",
            f"/api/config/config_entries/flow/{flow_id}",
            body=dict(user_input),
        )
        return result

    async def abort_flow(self, flow_id: str) -> bool:
        """Abort a config flow and return whether it is gone afterwards.

        A flow that has already ended (created an entry or aborted) is gone too.
        """
        path = f"/api/config/config_entries/flow/{flow_id}"
        not_found = (HTTPStatus.OK, HTTPStatus.NOT_FOUND)
        await self.send("DELETE", path, expected=not_found)
        status, _ = await self.send("GET", path, expected=not_found)
        return status == HTTPStatus.NOT_FOUND

    async def integration_states(self, domain: str) -> dict[str, str]:
        """Return the states of the entities of `domain`'s integration by entity id."""
        # The REST API has no entity registry endpoint, but templates can read it.
        template = f"{{{{ integration_entities('{domain}') | join(',') }}}}"
        _, rendered = await self.send(
            "POST", "/api/template", body={"template": template}
        )
        entity_ids = {entity_id for entity_id in rendered.split(",") if entity_id}
        states: list[dict[str, Any]] = await self.request("GET", "/api/states")
        return {
            state["entity_id"]: state["state"]
            for state in states
            if state["entity_id"] in entity_ids
        }

    async def update_entities(self, entity_ids: Sequence[str]) -> None:
        """Ask the entities to refresh now (homeassistant.update_entity)."""
        await self.request(
            "POST",
            "/api/services/homeassistant/update_entity",
            body={"entity_id": list(entity_ids)},
        )


def connection_input(
    simulator_url: str,
    *,
    tenant_id: str = DEFAULT_TENANT_ID,
    password: str = DEFAULT_PASSWORD,
) -> dict[str, str]:
    """Return the user step's form values for the simulator's default tenant."""
    return {
        "region": "custom",
        # The simulator prints its base URL with "/v1", so a user would paste that.
        "base_url": f"{simulator_url.rstrip('/')}/v1",
        "tenant_id": tenant_id,
        "auth_method": "basic",
        "username": DEFAULT_USERNAME,
        "password": password,
    }


def choose_statistics(data_schema: Sequence[Mapping[str, Any]]) -> list[str]:
    """Pick the preselected statistics plus a few more from the statistics form.

    Raises:
        DemoError: the form has no "statistics" field with options.
    """
    field = next(
        (item for item in data_schema if item.get("name") == "statistics"), None
    )
    if field is None:
        msg = f"The statistics step has no 'statistics' field: {data_schema}"
        raise DemoError(msg)
    try:
        raw_options = field["selector"]["select"]["options"]
    except (KeyError, TypeError) as err:
        msg = f"The 'statistics' field has no select options: {field}"
        raise DemoError(msg) from err
    options = [
        option["value"] if isinstance(option, dict) else str(option)
        for option in raw_options
    ]

    chosen = [name for name in field.get("default") or [] if name in options]
    chosen += [
        name for name in EXTRA_STATISTICS if name in options and name not in chosen
    ]
    for name in options:
        if len(chosen) >= MIN_SENSORS:
            break
        if name not in chosen:
            chosen.append(name)
    return chosen


def numeric_states(states: Mapping[str, str]) -> dict[str, float]:
    """Return the sensor states that are numbers, by entity id."""
    numbers: dict[str, float] = {}
    for entity_id, state in states.items():
        if not entity_id.startswith("sensor."):
            continue
        try:
            numbers[entity_id] = float(state)
        except ValueError:
            continue
    return numbers


def closed_port() -> int:
    """Return a loopback TCP port that nothing listens on, at least for a moment."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def onboard(api: HomeAssistantApi, account: Account) -> Tokens:
    """Finish every open onboarding step and return tokens for `account`."""
    done = await api.onboarding_steps_done()
    if done is None:
        return await api.log_in(account)

    if "user" in done:
        tokens = await api.log_in(account)
    else:
        _LOGGER.info("Creating the owner account %r", account.username)
        created = await api.request(
            "POST",
            "/api/onboarding/users",
            body={
                "name": account.name,
                "username": account.username,
                "password": account.password,
                "client_id": api.client_id,
                "language": "en",
            },
        )
        tokens = await api.exchange_code(created["auth_code"])

    if "core_config" not in done:
        _LOGGER.info("Finishing the onboarding steps")
        await api.request("POST", "/api/onboarding/core_config")
        await remove_unwanted_entries(api, wait_for=ONBOARDING_ENTRY_DOMAINS)
    if "analytics" not in done:
        # Analytics stay disabled: nothing sets the preferences that enable them.
        await api.request("POST", "/api/onboarding/analytics")
    if "integration" not in done:
        await api.request(
            "POST",
            "/api/onboarding/integration",
            body={"client_id": api.client_id, "redirect_uri": api.redirect_uri},
        )
    return tokens


async def confirm_http_config(api: HomeAssistantApi) -> None:
    """Confirm the HTTP configuration and check that it listens on LISTEN_HOST only.

    Home Assistant 2026.10 reads http: from configuration.yaml once, as a pending
    configuration. Unless it is confirmed within 5 minutes, Home Assistant restarts
    with the stable one, which by default listens on every interface.

    Raises:
        DemoError: the configuration in use would listen on other addresses.
    """
    config = await api.websocket_command({"type": "http/config"})
    pending = config["pending"]
    if pending is not None and pending.get("error") is None:
        await api.websocket_command({"type": "http/config/promote"})
        _LOGGER.info("Confirmed the HTTP configuration: %s", pending.get("server_host"))
        stable = pending
    else:
        stable = config["stable"]
    if stable.get("server_host") != [LISTEN_HOST]:
        msg = (
            f"Home Assistant's stored HTTP configuration listens on "
            f"{stable.get('server_host') or 'every interface'}, not only on "
            f"{LISTEN_HOST}. Start again with scripts/demo --fresh."
        )
        raise DemoError(msg)


async def remove_unwanted_entries(
    api: HomeAssistantApi, *, wait_for: Sequence[str] = ()
) -> None:
    """Remove the entries of UNWANTED_DOMAINS, first waiting for those of `wait_for`.

    Onboarding creates the entries in background tasks, so they may appear after
    the core_config request has returned.
    """
    missing = set(wait_for)
    deadline = time.monotonic() + ONBOARDING_ENTRIES_TIMEOUT
    while True:
        for domain in UNWANTED_DOMAINS:
            for entry in await api.config_entries(domain):
                _LOGGER.info("Removing the %s entry that onboarding added", domain)
                await api.remove_config_entry(entry["entry_id"])
                missing.discard(domain)
        if not missing:
            return
        if time.monotonic() > deadline:
            _LOGGER.warning(
                "Onboarding added no entry for %s within %.0f seconds. The next "
                "start removes it if it appears later",
                ", ".join(sorted(missing)),
                ONBOARDING_ENTRIES_TIMEOUT,
            )
            return
        await asyncio.sleep(0.5)


async def add_cxengage_entry(api: HomeAssistantApi, simulator_url: str) -> None:
    """Add the CxEngage entry through the config flow, unless one exists.

    Raises:
        DemoError: the flow did not reach the statistics step or create the entry.
    """
    entries = await api.config_entries(DOMAIN)
    if entries:
        _LOGGER.info("Home Assistant already has the entry %r", entries[0]["title"])
        return

    flow = await api.start_flow(DOMAIN)
    flow_id = flow["flow_id"]
    try:
        result = await api.submit_flow(flow_id, connection_input(simulator_url))
        if result.get("step_id") != "statistics":
            msg = (
                f"The config flow did not accept the simulator's credentials: "
                f"type={result.get('type')} errors={result.get('errors')} "
                f"reason={result.get('reason')}"
            )
            raise DemoError(msg)
        statistics = choose_statistics(result["data_schema"])
        _LOGGER.info("Adding the CxEngage entry with %s", ", ".join(statistics))
        result = await api.submit_flow(flow_id, {"statistics": statistics})
        if result.get("type") != "create_entry":
            msg = f"The statistics step did not create an entry: {result}"
            raise DemoError(msg)
    finally:
        # Ends the flow if a step failed. A finished flow is already gone.
        await api.abort_flow(flow_id)


async def wait_for_sensors(api: HomeAssistantApi, max_wait: float) -> dict[str, float]:
    """Wait until at least MIN_SENSORS CxEngage sensors have numeric states.

    Raises:
        DemoError: fewer numeric sensors after `max_wait` seconds.
    """
    deadline = time.monotonic() + max_wait
    while True:
        states = await api.integration_states(DOMAIN)
        numbers = numeric_states(states)
        if len(numbers) >= MIN_SENSORS:
            return numbers
        if time.monotonic() > deadline:
            msg = (
                f"Only {len(numbers)} CxEngage sensors have numeric states after "
                f"{max_wait:.0f} seconds; states: {states}"
            )
            raise DemoError(msg)
        await asyncio.sleep(1)


async def check_form_error(
    api: HomeAssistantApi, name: str, user_input: Mapping[str, str], error: str
) -> CheckResult:
    """Submit the user step and expect `error` on the form, then abort the flow.

    `error` is "field:key", with field "base" for errors of the whole form.
    """
    field, _, key = error.partition(":")
    flow_id = (await api.start_flow(DOMAIN))["flow_id"]
    try:
        result = await api.submit_flow(flow_id, user_input)
    finally:
        aborted = await api.abort_flow(flow_id)
    errors = result.get("errors") or {}
    passed = result.get("type") == "form" and errors.get(field) == key and aborted
    detail = (
        f"expected {field}={key}; got type={result.get('type')} "
        f"step={result.get('step_id')} errors={errors}; flow aborted: {aborted}"
    )
    return CheckResult(name, passed, detail)


async def check_already_configured(
    api: HomeAssistantApi, simulator_url: str
) -> CheckResult:
    """Add the demo's tenant again and expect the abort reason already_configured."""
    flow_id = (await api.start_flow(DOMAIN))["flow_id"]
    try:
        result = await api.submit_flow(flow_id, connection_input(simulator_url))
    finally:
        aborted = await api.abort_flow(flow_id)
    passed = (
        result.get("type") == "abort"
        and result.get("reason") == "already_configured"
        and aborted
    )
    detail = (
        f"got type={result.get('type')} reason={result.get('reason')} "
        f"errors={result.get('errors')}; flow aborted: {aborted}"
    )
    return CheckResult(ALREADY_CONFIGURED_CHECK, passed, detail)


async def check_sensors(api: HomeAssistantApi) -> list[CheckResult]:
    """Check the number of numeric CxEngage sensors and that a value changes."""
    count_name = f"at least {MIN_SENSORS} CxEngage sensors with numeric states"
    states = await api.integration_states(DOMAIN)
    first = numeric_states(states)
    count_result = CheckResult(
        count_name,
        len(first) >= MIN_SENSORS,
        f"{len(first)} numeric of {len(states)} entities: {states}",
    )
    change_name = "a sensor value changes within two polls"
    if not first:
        return [
            count_result,
            CheckResult(change_name, passed=False, detail="no sensors"),
        ]

    # The simulator changes its values every BUCKET_SECONDS. update_entity requests a
    # coordinator refresh, which Home Assistant's debouncer runs at most every 10 s.
    max_wait = 2 * POLL_SECONDS
    started = time.monotonic()
    while time.monotonic() - started < max_wait:
        await asyncio.sleep(BUCKET_SECONDS + 1)
        await api.update_entities(sorted(first))
        current = numeric_states(await api.integration_states(DOMAIN))
        changed = sorted(
            entity_id
            for entity_id, value in first.items()
            if current.get(entity_id, value) != value
        )
        if changed:
            elapsed = time.monotonic() - started
            detail = f"after {elapsed:.0f} s: " + ", ".join(
                f"{eid} {first[eid]:g} -> {current[eid]:g}" for eid in changed
            )
            return [count_result, CheckResult(change_name, passed=True, detail=detail)]
    detail = f"no value changed within {max_wait:.0f} s: {first}"
    return [count_result, CheckResult(change_name, passed=False, detail=detail)]


async def run_checks(api: HomeAssistantApi, simulator_url: str) -> list[CheckResult]:
    """Run every smoke check. A check that raises counts as failed."""
    port = closed_port()
    form_checks = (
        (
            "wrong password shows invalid_auth",
            connection_input(simulator_url, password=WRONG_PASSWORD),
            "base:invalid_auth",
        ),
        (
            f"closed port {port} shows cannot_connect",
            connection_input(f"http://127.0.0.1:{port}"),
            "base:cannot_connect",
        ),
        (
            "malformed tenant id shows invalid_tenant_id",
            connection_input(simulator_url, tenant_id="not-a-tenant-id"),
            "tenant_id:invalid_tenant_id",
        ),
    )
    results: list[CheckResult] = []
    for name, user_input, error in form_checks:
        try:
            results.append(await check_form_error(api, name, user_input, error))
        except (aiohttp.ClientError, DemoError, KeyError) as err:
            results.append(CheckResult(name, passed=False, detail=repr(err)))
    try:
        results.append(await check_already_configured(api, simulator_url))
    except (aiohttp.ClientError, DemoError, KeyError) as err:
        results.append(
            CheckResult(ALREADY_CONFIGURED_CHECK, passed=False, detail=repr(err))
        )
    try:
        results.extend(await check_sensors(api))
    except (aiohttp.ClientError, DemoError, KeyError) as err:
        results.append(CheckResult("CxEngage sensors", passed=False, detail=repr(err)))
    return results


async def setup_command(args: argparse.Namespace) -> int:
    """Onboard Home Assistant, add the CxEngage entry and list its sensors."""
    account = Account("Demo", args.username, args.password)
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    ) as session:
        api = HomeAssistantApi(session, args.ha_url)
        await api.wait_until_up(args.wait)
        tokens = await onboard(api, account)
        try:
            await confirm_http_config(api)
            await remove_unwanted_entries(api)
            await add_cxengage_entry(api, args.simulator_url)
            sensors = await wait_for_sensors(api, max_wait=args.wait)
        finally:
            await api.revoke(tokens)
    _LOGGER.info("CxEngage sensors:")
    for entity_id, value in sorted(sensors.items()):
        _LOGGER.info("  %s = %g", entity_id, value)
    return 0


async def smoke_command(args: argparse.Namespace) -> int:
    """Run the smoke checks, print PASS or FAIL for each, return 1 on a failure."""
    account = Account("Demo", args.username, args.password)
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    ) as session:
        api = HomeAssistantApi(session, args.ha_url)
        await api.wait_until_up(args.wait)
        tokens = await api.log_in(account)
        try:
            results = await run_checks(api, args.simulator_url)
        finally:
            await api.revoke(tokens)
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        sys.stdout.write(f"{verdict}  {result.name}: {result.detail}\n")
    failed = sum(not result.passed for result in results)
    sys.stdout.write(f"{len(results) - failed} passed, {failed} failed\n")
    return 1 if failed else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.demo_ha", description=__doc__.splitlines()[0]
    )
    parser.add_argument("command", choices=("setup", "smoke"))
    parser.add_argument("--ha-url", default=DEFAULT_HA_URL, help="Home Assistant URL")
    parser.add_argument(
        "--simulator-url", default=DEFAULT_SIMULATOR_URL, help="simulator URL"
    )
    parser.add_argument(
        "--username", default=DEFAULT_DEMO_USERNAME, help="Home Assistant user"
    )
    parser.add_argument(
        "--password", default=DEFAULT_DEMO_PASSWORD, help="that user's password"
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=120.0,
        help="seconds to wait for Home Assistant and for the sensors (default 120)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command given on the command line and return the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="==> %(message)s")
    command = setup_command if args.command == "setup" else smoke_command
    try:
        return asyncio.run(command(args))
    except (DemoError, aiohttp.ClientError, TimeoutError) as err:
        _LOGGER.error("%s failed: %s", args.command, err)  # noqa: TRY400 - no traceback
        return 1
    except KeyboardInterrupt:
        # scripts/demo stops the processes on Ctrl-C, so a traceback would add noise.
        return 130


if __name__ == "__main__":
    sys.exit(main())
