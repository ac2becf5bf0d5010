"""Command line: `python -m simulator` serves a fake CxEngage API until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from simulator.config import SimulatorConfig
from simulator.control import CONTROL_PREFIX
from simulator.server import Simulator

_LOGGER = logging.getLogger("simulator")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    defaults = SimulatorConfig()
    parser = argparse.ArgumentParser(
        prog="python -m simulator",
        description="Serve a fake CxEngage Reporting API for local development.",
    )

    # Where to listen, and the credentials that clients use.
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=int, default=8900, help="TCP port (0 = any)")
    parser.add_argument("--tenant", default=defaults.tenant_id, help="tenant id")
    parser.add_argument("--username", default=defaults.username, help="user email")
    parser.add_argument("--password", default=defaults.password, help="user password")
    parser.add_argument("--api-key", default=defaults.api_key, help="API key")
    parser.add_argument("--api-secret", default=defaults.api_secret, help="API secret")

    # Behaviour of the simulated API.
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds added before every API response (default 0)",
    )
    parser.add_argument(
        "--seed", type=int, default=defaults.seed, help="seed of generated values"
    )
    parser.add_argument(
        "--batch-status",
        type=int,
        default=None,
        help="return this status (404 or 405) from the batch endpoint, as if absent",
    )
    parser.add_argument(
        "--catalogue-casing",
        choices=("camel", "kebab"),
        default="camel",
        help="key casing of the available-statistics catalogue",
    )
    parser.add_argument(
        "--numbers-as-strings",
        action="store_true",
        help="send numbers in statistic bodies as JSON strings",
    )

    parser.add_argument(
        "--verbose", action="store_true", help="log every request at DEBUG level"
    )
    return parser.parse_args(argv)


def connection_help(sim: Simulator) -> str:
    """Return the start-up message: connection details and control endpoints."""
    config = sim.config
    base = sim.base_url
    control = f"{base}{CONTROL_PREFIX}"
    return "\n".join(
        (
            "CxEngage simulator running. Local fake: these credentials are not secret.",
            f"  Base URL:    {base}/v1",
            f"  Tenant id:   {config.tenant_id}",
            f"  Username:    {config.username}",
            f"  Password:    {config.password}",
            f"  Limited user (gets 403): {config.limited_username}",
            f"  Limited password: {config.limited_password}",
            f"  API key:     {config.api_key}",
            f"  API secret:  {config.api_secret}",
            "Control endpoints (no auth):",
            f"  POST   {control}/faults          JSON fields of Fault",
            f"  GET    {control}/faults",
            f"  DELETE {control}/faults",
            f"  POST   {control}/item-failures   {{statistic, status}}",
            f"  DELETE {control}/item-failures",
            f"  POST   {control}/expire-tokens",
            f"  GET    {control}/counters",
            f"  POST   {control}/reset-counters",
            f"  GET    {control}/config",
            f"  PUT    {control}/config          {{latency, batch_status, ...}}",
            "Press Ctrl-C to stop.",
        )
    )


async def serve(args: argparse.Namespace) -> None:
    """Run the simulator until SIGINT or SIGTERM."""
    config = SimulatorConfig(
        tenant_id=args.tenant.lower(),
        username=args.username,
        password=args.password,
        api_key=args.api_key,
        api_secret=args.api_secret,
        latency=args.latency,
        seed=args.seed,
        batch_status=args.batch_status,
        catalogue_casing=args.catalogue_casing,
        numbers_as_strings=args.numbers_as_strings,
    )
    sim = Simulator(config)
    await sim.start(host=args.host, port=args.port)
    sys.stdout.write(connection_help(sim) + "\n")
    sys.stdout.flush()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signal_number, stop.set)
    try:
        await stop.wait()
    finally:
        _LOGGER.info("Stopping the simulator")
        await sim.stop()


def main(argv: list[str] | None = None) -> None:
    """Parse the arguments and serve."""
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
