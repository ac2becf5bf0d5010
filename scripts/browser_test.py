"""Add and check the integration in Home Assistant's web UI with a real browser.

scripts/browser-test starts a demo Home Assistant and the simulator, then runs this
module inside the project environment:

    python -m scripts.browser_test --screenshot-dir docs/images

Playwright drives Debian's Chromium (/usr/bin/chromium), headless. The test signs
in, removes the CxEngage entry that the demo set-up added, and adds it again
through the "Add integration" dialog: first with a wrong password, whose error it
reads from the form, then with the right one. It then opens the tenant's device
page and a dashboard built from docs/dashboard.yaml, waits until both show the
sensors' values, and saves a screenshot of each step.
"""

# ruff: noqa: INP001 - scripts/ contains commands, not an importable package.

from __future__ import annotations

import argparse
from collections.abc import Iterator
import contextlib
from dataclasses import dataclass
import json
import logging
from pathlib import Path
import re
import sys
import tempfile
import time
from typing import Any, Final

from homeassistant.util import slugify
from homeassistant.util.yaml import parse_yaml
from playwright.sync_api import (
    BrowserContext,
    Error as PlaywrightError,
    Page,
    Playwright,
    sync_playwright,
)

from custom_components.cxengage.const import DOMAIN
from scripts.demo_ha import (
    DEFAULT_DEMO_PASSWORD,
    DEFAULT_DEMO_USERNAME,
    DEFAULT_HA_URL,
    DEFAULT_SIMULATOR_URL,
    EXTRA_STATISTICS,
    MIN_SENSORS,
    WRONG_PASSWORD,
    connection_input,
)

_LOGGER = logging.getLogger("browser_test")

REPO_DIR: Final = Path(__file__).resolve().parent.parent
INTEGRATION_DIR: Final = REPO_DIR / "custom_components" / DOMAIN
DASHBOARD_YAML: Final = REPO_DIR / "docs" / "dashboard.yaml"
# docs/dashboard.yaml names its entities after the entry title "CxEngage Example".
DOCS_ENTITY_SLUG: Final = "cxengage_example"
DASHBOARD_URL_PATH: Final = "contact-centre"

CHROMIUM: Final = "/usr/bin/chromium"
# Headless, and nothing that contacts Google's services or updates components.
# --no-sandbox: Chromium refuses to start as root with its sandbox, and the test
# runs as root because the chroot of scripts/_env.sh needs root.
CHROMIUM_ARGS: Final = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
VIEWPORT: Final = {"width": 1280, "height": 800}
# Milliseconds that one Playwright action or wait may take.
ACTION_TIMEOUT_MS: Final = 30_000
# What the frontend shows for an entity without a value, or without an entity.
MISSING_STATE_TEXTS: Final = ("Unavailable", "Unknown", "Entity not found")
# Seconds to wait for the new entry to load and for its values to show.
VALUES_TIMEOUT: Final = 90.0

ERROR_SCREENSHOT: Final = "config-flow-error.png"
STATISTICS_SCREENSHOT: Final = "config-flow-statistics.png"
DEVICE_SCREENSHOT: Final = "device.png"
DASHBOARD_SCREENSHOT: Final = "dashboard.png"
FAILURE_SCREENSHOT: Final = "failure.png"

# The frontend's root element carries the `hass` object, whose callWS and callApi
# send requests with the signed-in user's token.
HASS_READY_JS: Final = (
    "() => document.querySelector('home-assistant')?.hass?.connected === true"
)
CALL_WS_JS: Final = "m => document.querySelector('home-assistant').hass.callWS(m)"
CALL_API_JS: Final = (
    "([method, path]) => document.querySelector('home-assistant')"
    ".hass.callApi(method, path)"
)
# ha-alert puts role="alert" on an element in its shadow root and shows the
# message through a slot, so only the host element's innerText contains it.
ALERT_TEXT_JS: Final = "e => (e.getRootNode().host ?? e).innerText"
STATE_IDS_JS: Final = (
    "() => Object.keys(document.querySelector('home-assistant').hass.states)"
)
# Returns a PNG data URL of each canvas, or "" for one that is still blank.
CANVAS_IMAGES_JS: Final = """canvases => canvases.map((canvas) => {
  const blank = document.createElement('canvas');
  blank.width = canvas.width;
  blank.height = canvas.height;
  const image = canvas.toDataURL();
  return image === blank.toDataURL() ? '' : image;
})"""
# Returns [state, state as the frontend formats it] for each entity id.
FORMAT_STATES_JS: Final = """ids => {
  const hass = document.querySelector('home-assistant').hass;
  return ids.map((id) => {
    const stateObj = hass.states[id];
    return stateObj ? [stateObj.state, hass.formatEntityState(stateObj)] : null;
  });
}"""


class BrowserTestError(Exception):
    """A step failed. The message names the step and what the page showed."""


@dataclass(frozen=True)
class Texts:
    """The English texts of the integration that the UI shows, from en.json."""

    name: str
    user_title: str
    statistics_title: str
    field_labels: dict[str, str]
    statistics_label: str
    region_custom: str
    auth_basic: str
    invalid_auth: str

    @classmethod
    def load(cls) -> Texts:
        """Read the integration's manifest and English translations."""
        manifest = json.loads((INTEGRATION_DIR / "manifest.json").read_text())
        strings = json.loads((INTEGRATION_DIR / "translations/en.json").read_text())
        steps = strings["config"]["step"]
        selectors = strings["selector"]
        return cls(
            name=manifest["name"],
            user_title=steps["user"]["title"],
            statistics_title=steps["statistics"]["title"],
            field_labels=steps["user"]["data"],
            statistics_label=steps["statistics"]["data"]["statistics"],
            region_custom=selectors["region"]["options"]["custom"],
            auth_basic=selectors["auth_method"]["options"]["basic"],
            invalid_auth=strings["config"]["error"]["invalid_auth"],
        )


def call_ws(page: Page, message: dict[str, Any]) -> Any:
    """Send a websocket command as the signed-in user and return its result."""
    return page.evaluate(CALL_WS_JS, message)


def call_api(page: Page, method: str, path: str) -> Any:
    """Send a REST API request (path after /api/) as the signed-in user."""
    return page.evaluate(CALL_API_JS, [method, path])


def card_entity_ids(card: dict[str, Any]) -> list[str]:
    """Return the entity ids that one card shows, without its nested cards."""
    entity_ids = [card["entity"]] if isinstance(card.get("entity"), str) else []
    for row in card.get("entities", []):
        entity_id = row.get("entity") if isinstance(row, dict) else row
        if isinstance(entity_id, str):
            entity_ids.append(entity_id)
    return entity_ids


def all_entity_ids(cards: list[dict[str, Any]]) -> list[str]:
    """Return the entity ids of the cards and their nested cards, in order."""
    entity_ids: list[str] = []
    for card in cards:
        entity_ids += card_entity_ids(card)
        entity_ids += all_entity_ids(card.get("cards", []))
    return list(dict.fromkeys(entity_ids))


def keep_existing_cards(
    cards: list[dict[str, Any]], existing: set[str], dropped: list[str]
) -> list[dict[str, Any]]:
    """Return the cards whose entities all exist, and add the others' ids to dropped.

    A card with nested cards (a grid, a stack) stays when any nested card stays.
    """
    kept: list[dict[str, Any]] = []
    for card in cards:
        if "cards" in card:
            card["cards"] = keep_existing_cards(card["cards"], existing, dropped)
            if card["cards"]:
                kept.append(card)
            continue
        missing = [eid for eid in card_entity_ids(card) if eid not in existing]
        if missing:
            dropped.extend(missing)
        else:
            kept.append(card)
    return kept


def dashboard_config(
    entity_slug: str, existing: set[str]
) -> tuple[dict[str, Any], list[str]]:
    """Return docs/dashboard.yaml for the entry's entity ids, and the ids dropped.

    The entity ids of the docs follow the entry title "CxEngage Example", so
    "cxengage_example" becomes `entity_slug`. Cards of entities that this Home
    Assistant lacks, such as the docs' "Sales" queue, are dropped.
    """
    text = DASHBOARD_YAML.read_text().replace(DOCS_ENTITY_SLUG, entity_slug)
    config = parse_yaml(text)
    if not isinstance(config, dict):
        msg = f"{DASHBOARD_YAML} does not contain a dashboard configuration"
        raise BrowserTestError(msg)
    dropped: list[str] = []
    for view in config["views"]:
        view["cards"] = keep_existing_cards(view.get("cards", []), existing, dropped)
    return config, dropped


class BrowserTest:
    """The steps of the test, run in order on one signed-in page."""

    def __init__(self, page: Page, args: argparse.Namespace, passed: list[str]) -> None:
        """Drive `page` with the URLs and account in `args`.

        Each step that passes is appended to `passed`, which the caller keeps
        when a later step raises.
        """
        self.page = page
        self.ha_url: str = args.ha_url.rstrip("/")
        self.simulator_url: str = args.simulator_url
        self.username: str = args.username
        self.password: str = args.password
        self.screenshot_dir: Path = args.screenshot_dir
        self.texts = Texts.load()
        self.passed = passed
        self.current_step = "starting"
        # Uncaught exceptions in the frontend's JavaScript, with the step they
        # happened in. The caller logs them, and they do not fail the test.
        self.page_errors: list[str] = []
        page.on("pageerror", self.record_page_error)

    def record_page_error(self, error: PlaywrightError) -> None:
        """Store an uncaught exception of the page with the current step."""
        self.page_errors.append(f"{error.message} (during: {self.current_step})")

    @contextlib.contextmanager
    def step(self, description: str) -> Iterator[None]:
        """Log a step, count it as passed, and raise Playwright errors as ours."""
        _LOGGER.info("%s", description)
        self.current_step = description
        try:
            yield
        except PlaywrightError as err:
            # Playwright's message names the locator and what it waited for.
            msg = f"{description} failed: {err.message}"
            raise BrowserTestError(msg) from err
        self.passed.append(description)

    def run(self) -> None:
        """Run every step. Raises BrowserTestError at the first that fails."""
        self.sign_in()
        self.prepare_instance()
        self.open_config_flow()
        self.submit_wrong_password()
        self.submit_credentials()
        self.choose_statistics()
        entry = self.finish_flow()
        self.check_device_page(entry)
        self.check_dashboard(entry)
        self.check_repairs()

    def open_page(self, path: str) -> None:
        """Load `path` and wait until the frontend is connected to Home Assistant."""
        self.page.goto(f"{self.ha_url}{path}")
        self.page.wait_for_function(HASS_READY_JS)

    def save_screenshot(self, name: str) -> None:
        """Save the viewport as a PNG, with animations finished and no caret."""
        path = self.screenshot_dir / name
        # The pointer would leave a hover highlight on the last clicked item.
        self.page.mouse.move(0, VIEWPORT["height"] - 1)
        self.page.screenshot(path=path, animations="disabled", caret="hide")
        _LOGGER.info("Saved %s (%d KB)", path, path.stat().st_size // 1024)

    def alert_text(self) -> str:
        """Return the text of the first alert on the page, or "no error"."""
        alert = self.page.get_by_role("alert").first
        if not alert.count():
            return "no error"
        text: str = alert.evaluate(ALERT_TEXT_JS)
        return text.strip()

    def sign_in(self) -> None:
        """Sign in on the login page, which every URL redirects to at first."""
        with self.step(f"Signing in to {self.ha_url} as {self.username!r}"):
            self.page.goto(self.ha_url)
            self.page.get_by_role("textbox", name="Username").fill(self.username)
            self.page.get_by_role("textbox", name="Password").fill(self.password)
            self.page.get_by_role("button", name="Log in").click()
            try:
                self.page.wait_for_function(HASS_READY_JS)
            except PlaywrightError as err:
                msg = f"Home Assistant did not sign in; it shows: {self.alert_text()}"
                raise BrowserTestError(msg) from err

    def prepare_instance(self) -> None:
        """Remove the demo's CxEngage entry and ignore other domains' repair issues.

        The demo set-up adds an entry for the simulator's tenant, and adding the
        same tenant again would abort with already_configured. The demo's own
        configuration raises repair issues (http: in YAML, the Core installation
        method) that would put a badge on Settings in every screenshot.
        """
        page = self.page
        with self.step("Removing the CxEngage entry that the demo set-up added"):
            for entry in call_ws(
                page, {"type": "config_entries/get", "domain": DOMAIN}
            ):
                _LOGGER.info("Removing the entry %r", entry["title"])
                call_api(
                    page, "DELETE", f"config/config_entries/entry/{entry['entry_id']}"
                )
        with self.step("Ignoring the repair issues of the demo's configuration"):
            for issue in call_ws(page, {"type": "repairs/list_issues"})["issues"]:
                if issue["domain"] == DOMAIN or issue["ignored"]:
                    continue
                _LOGGER.info(
                    "Ignoring the repair issue %s.%s",
                    issue["domain"],
                    issue["issue_id"],
                )
                call_ws(
                    page,
                    {
                        "type": "repairs/ignore_issue",
                        "domain": issue["domain"],
                        "issue_id": issue["issue_id"],
                        "ignore": True,
                    },
                )

    def open_config_flow(self) -> None:
        """Open Settings > Devices & services > Add integration and pick CxEngage."""
        page, name = self.page, self.texts.name
        with self.step("Opening the config flow from the 'Add integration' dialog"):
            self.open_page("/config/integrations/dashboard")
            page.get_by_role("button", name="Add integration").click()
            page.get_by_placeholder("Search for a brand name").fill(name)
            page.get_by_text(name, exact=True).click()
            page.get_by_text(self.texts.user_title, exact=True).wait_for()

    def fill_user_step(self, user_input: dict[str, str]) -> None:
        """Fill the user step's form for the custom region and submit it."""
        page, texts = self.page, self.texts
        labels = texts.field_labels
        page.get_by_role("radio", name=texts.region_custom, exact=True).check()
        for field in ("base_url", "tenant_id", "username", "password"):
            page.get_by_role("textbox", name=labels[field]).fill(user_input[field])
        page.get_by_role("radio", name=texts.auth_basic, exact=True).check()
        page.get_by_role("button", name="Submit").click()

    def submit_wrong_password(self) -> None:
        """Submit a wrong password and check the form's error against en.json.

        Raises:
            BrowserTestError: the form shows no error, or another one.
        """
        expected = self.texts.invalid_auth
        with self.step("Submitting a wrong password and reading the error"):
            self.fill_user_step(
                connection_input(self.simulator_url, password=WRONG_PASSWORD)
            )
            alert = self.page.get_by_role("alert").first
            alert.wait_for()
            error_text = self.alert_text()
            if error_text != expected:
                msg = (
                    f"The form shows the error {error_text!r} for a wrong password, "
                    f"expected the invalid_auth message {expected!r}"
                )
                raise BrowserTestError(msg)
            _LOGGER.info("The form shows the error: %s", error_text)
            alert.scroll_into_view_if_needed()
            self.save_screenshot(ERROR_SCREENSHOT)

    def submit_credentials(self) -> None:
        """Submit the simulator's credentials and wait for the statistics step.

        Raises:
            BrowserTestError: the form stays on the user step, with the error shown.
        """
        page = self.page
        with self.step("Submitting the simulator's credentials"):
            self.fill_user_step(connection_input(self.simulator_url))
            try:
                page.get_by_text(self.texts.statistics_title, exact=True).wait_for()
            except PlaywrightError as err:
                msg = (
                    "The form did not accept the credentials; it shows: "
                    f"{self.alert_text()}"
                )
                raise BrowserTestError(msg) from err

    def choose_statistics(self) -> None:
        """Add EXTRA_STATISTICS to the preselected statistics and submit the step."""
        page, texts = self.page, self.texts
        extra = ", ".join(EXTRA_STATISTICS)
        with self.step(f"Choosing the preselected statistics and {extra}"):
            for statistic in EXTRA_STATISTICS:
                # Each chosen statistic is a chip with a "Remove <name> (<id>)" button.
                chosen = re.compile(rf"^Remove .* \({re.escape(statistic)}\)$")
                remove_button = page.get_by_role("button", name=chosen)
                if remove_button.count():
                    continue
                page.get_by_role(
                    "button", name=texts.statistics_label, exact=True
                ).click()
                page.get_by_placeholder("Search", exact=True).fill(statistic)
                page.get_by_text(f"({statistic})").click()
                remove_button.wait_for()
            self.save_screenshot(STATISTICS_SCREENSHOT)
            page.get_by_role("button", name="Submit").click()

    def finish_flow(self) -> dict[str, Any]:
        """Close the flow's last dialog (device name and area), return the new entry.

        Raises:
            BrowserTestError: no entry was created, or it did not load in time.
        """
        page = self.page
        with self.step("Finishing the flow without choosing an area"):
            page.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
            deadline = time.monotonic() + VALUES_TIMEOUT
            while True:
                entries = call_ws(
                    page, {"type": "config_entries/get", "domain": DOMAIN}
                )
                if len(entries) == 1 and entries[0]["state"] == "loaded":
                    _LOGGER.info(
                        "Home Assistant loaded the entry %r", entries[0]["title"]
                    )
                    entry: dict[str, Any] = entries[0]
                    return entry
                if time.monotonic() > deadline:
                    msg = (
                        f"The flow did not create one loaded CxEngage entry within "
                        f"{VALUES_TIMEOUT:.0f} s: {entries}"
                    )
                    raise BrowserTestError(msg)
                time.sleep(0.5)

    def shows(self, text: str) -> bool:
        """Return whether a visible element's text contains `text` as a whole token.

        An entity row's text includes its name from the shadow DOM, such as
        "Queue length 34", so an exact match on the value alone finds nothing.
        """
        token = re.compile(rf"(?<![\w.,]){re.escape(text)}(?![\w.,])")
        return bool(self.page.get_by_text(token).filter(visible=True).count())

    def wait_for_values(self, entity_ids: list[str], where: str) -> None:
        """Wait until each entity has a numeric state that the page shows, formatted.

        The formatted state is the text the frontend shows, such as "2,000" or
        "87.8 s". Values change while the test runs, so each attempt reads them
        again. The page must not show MISSING_STATE_TEXTS anywhere.

        Raises:
            BrowserTestError: values are missing or not numeric after the timeout.
        """
        page = self.page
        deadline = time.monotonic() + VALUES_TIMEOUT
        while True:
            problems: list[str] = []
            pairs = page.evaluate(FORMAT_STATES_JS, entity_ids)
            for entity_id, pair in zip(entity_ids, pairs, strict=True):
                if pair is None:
                    problems.append(f"{entity_id} has no state")
                    continue
                state, formatted = pair
                try:
                    float(state)
                except ValueError:
                    problems.append(f"{entity_id} is {state!r}, not a number")
                    continue
                if not self.shows(formatted):
                    problems.append(f"{entity_id}: {formatted!r} is not on the page")
            problems += [
                f"the page shows {text!r}"
                for text in MISSING_STATE_TEXTS
                if self.shows(text)
            ]
            if not problems:
                _LOGGER.info("%s shows %d numeric sensor values", where, len(pairs))
                return
            if time.monotonic() > deadline:
                msg = (
                    f"{where} lacks values after {VALUES_TIMEOUT:.0f} s: "
                    + "; ".join(problems)
                )
                raise BrowserTestError(msg)
            time.sleep(1)

    def wait_for_charts(self, min_count: int) -> None:
        """Wait until at least `min_count` charts are drawn and have stopped moving.

        The charts (ECharts on a canvas, loaded on demand) appear after the
        values, and animate once drawn. A chart counts as still when its canvas
        is the same in two reads half a second apart.

        Raises:
            BrowserTestError: the charts are missing, blank or moving after the
                timeout.
        """
        canvases = self.page.locator("ha-chart-base canvas")
        deadline = time.monotonic() + VALUES_TIMEOUT
        previous: list[str] = []
        while True:
            images: list[str] = canvases.evaluate_all(CANVAS_IMAGES_JS)
            drawn = len(images) >= min_count and all(images)
            if drawn and images == previous:
                _LOGGER.info("The dashboard shows %d charts", len(images))
                return
            if time.monotonic() > deadline:
                blank = images.count("")
                msg = (
                    f"The dashboard's charts are not drawn after {VALUES_TIMEOUT:.0f}"
                    f" s: {len(images)} charts, {blank} blank, {min_count} expected"
                )
                raise BrowserTestError(msg)
            previous = images
            time.sleep(0.5)

    def check_device_page(self, entry: dict[str, Any]) -> None:
        """Open the tenant's device page from the integration page, check values.

        Raises:
            BrowserTestError: fewer than MIN_SENSORS sensors, or values missing.
        """
        page = self.page
        with self.step("Opening the tenant's device page and reading its sensors"):
            registry = call_ws(page, {"type": "config/entity_registry/list"})
            sensors = sorted(
                entity["entity_id"]
                for entity in registry
                if entity["config_entry_id"] == entry["entry_id"]
                and entity["disabled_by"] is None
                and entity["entity_id"].startswith("sensor.")
            )
            if len(sensors) < MIN_SENSORS:
                msg = (
                    f"The entry has {len(sensors)} enabled sensors, expected at "
                    f"least {MIN_SENSORS}: {sensors}"
                )
                raise BrowserTestError(msg)
            self.open_page(f"/config/integrations/integration/{DOMAIN}")
            page.locator('a[href^="/config/devices/device/"]').first.click()
            page.wait_for_url("**/config/devices/device/**")
            self.wait_for_values(sensors, "The device page")
            self.save_screenshot(DEVICE_SCREENSHOT)

    def check_dashboard(self, entry: dict[str, Any]) -> None:
        """Create a dashboard from docs/dashboard.yaml, open it and check values.

        Raises:
            BrowserTestError: values missing, or no card of the docs is left.
        """
        page = self.page
        docs_path = DASHBOARD_YAML.relative_to(REPO_DIR)
        with self.step(f"Creating a dashboard from {docs_path}"):
            existing = set(page.evaluate(STATE_IDS_JS))
            config, dropped = dashboard_config(slugify(entry["title"]), existing)
            if dropped:
                _LOGGER.info("Leaving out the cards of %s", ", ".join(dropped))
            view = config["views"][0]
            entity_ids = all_entity_ids(view["cards"])
            if not entity_ids:
                msg = f"No card of {DASHBOARD_YAML} shows an entity that exists"
                raise BrowserTestError(msg)
            dashboards = call_ws(page, {"type": "lovelace/dashboards/list"})
            if all(item["url_path"] != DASHBOARD_URL_PATH for item in dashboards):
                call_ws(
                    page,
                    {
                        "type": "lovelace/dashboards/create",
                        "url_path": DASHBOARD_URL_PATH,
                        "title": config.get("title", "Contact centre"),
                        "icon": "mdi:headset",
                        "show_in_sidebar": True,
                        "require_admin": False,
                        "mode": "storage",
                    },
                )
            call_ws(
                page,
                {
                    "type": "lovelace/config/save",
                    "url_path": DASHBOARD_URL_PATH,
                    "config": config,
                },
            )
        with self.step("Opening the dashboard and reading its sensors"):
            self.open_page(f"/{DASHBOARD_URL_PATH}/{view.get('path', '0')}")
            self.wait_for_values(entity_ids, "The dashboard")
            graphs = sum(card.get("type") == "history-graph" for card in view["cards"])
            self.wait_for_charts(graphs)
            self.save_screenshot(DASHBOARD_SCREENSHOT)

    def check_repairs(self) -> None:
        """Check that the integration raised no repair issue.

        Raises:
            BrowserTestError: the integration raised a repair issue.
        """
        with self.step("Checking that the integration raised no repair issue"):
            issues = call_ws(self.page, {"type": "repairs/list_issues"})["issues"]
            ours = [issue["issue_id"] for issue in issues if issue["domain"] == DOMAIN]
            if ours:
                msg = f"The integration raised repair issues: {', '.join(ours)}"
                raise BrowserTestError(msg)


def launch_chromium(playwright: Playwright, profile_dir: str) -> BrowserContext:
    """Start Debian's Chromium, headless, with a fresh profile in `profile_dir`."""
    context = playwright.chromium.launch_persistent_context(
        profile_dir,
        executable_path=CHROMIUM,
        headless=True,
        args=list(CHROMIUM_ARGS),
        viewport={"width": VIEWPORT["width"], "height": VIEWPORT["height"]},
        color_scheme="light",
        locale="en-US",
        reduced_motion="reduce",
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    return context


def run(args: argparse.Namespace, passed: list[str]) -> None:
    """Run the test in a new browser and append each passed step to `passed`.

    Raises:
        BrowserTestError: a step failed.
        playwright.sync_api.Error: Playwright failed outside a step, such as
            when Chromium does not start.
    """
    args.screenshot_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile_dir,
        sync_playwright() as playwright,
    ):
        context = launch_chromium(playwright, profile_dir)
        page = context.pages[0] if context.pages else context.new_page()
        test = BrowserTest(page, args, passed)
        try:
            test.run()
        except BrowserTestError:
            save_failure(page, args.failure_dir)
            raise
        finally:
            for error in test.page_errors:
                _LOGGER.warning("Uncaught error in the page: %s", error)
            context.close()


def save_failure(page: Page, failure_dir: Path | None) -> None:
    """Save a screenshot of the page at a failure, when a folder is given."""
    if failure_dir is None:
        return
    failure_dir.mkdir(parents=True, exist_ok=True)
    path = failure_dir / FAILURE_SCREENSHOT
    try:
        page.screenshot(path=path)
    except PlaywrightError as err:
        _LOGGER.warning("Could not save a screenshot of the failure: %s", err.message)
    else:
        _LOGGER.info("Saved the page at the failure to %s", path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.browser_test", description=__doc__.splitlines()[0]
    )
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
        "--screenshot-dir",
        type=Path,
        default=REPO_DIR / "docs" / "images",
        help="folder for the PNG screenshots, overwritten (default docs/images)",
    )
    parser.add_argument(
        "--failure-dir",
        type=Path,
        default=None,
        help="folder for a screenshot of the page when a step fails",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the browser test, print the count of passed steps, return the status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="==> %(message)s")
    started = time.monotonic()
    passed: list[str] = []
    try:
        run(args, passed)
    except BrowserTestError as err:
        _LOGGER.error("Browser test failed: %s", err)  # noqa: TRY400 - no traceback
        sys.stdout.write(f"{len(passed)} passed, 1 failed\n")
        return 1
    except PlaywrightError as err:
        # Playwright errors outside a step come mostly from Chromium not starting.
        _LOGGER.error(  # noqa: TRY400 - the message is enough
            "Playwright failed to run Chromium (%s): %s", CHROMIUM, err.message
        )
        sys.stdout.write(f"{len(passed)} passed, 1 failed\n")
        return 1
    _LOGGER.info("Browser test passed in %.0f s", time.monotonic() - started)
    sys.stdout.write(f"{len(passed)} passed, 0 failed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
