"""Tests of `python -m simulator`."""

from __future__ import annotations

import json
import os
from pathlib import Path
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.request

from simulator import DEFAULT_API_KEY, DEFAULT_PASSWORD, DEFAULT_TENANT_ID
from simulator.__main__ import connection_help, parse_args
from simulator.server import Simulator

REPOSITORY = Path(__file__).resolve().parents[2]


def test_parse_args_defaults() -> None:
    args = parse_args([])
    assert args.host == "127.0.0.1"
    assert args.port == 8900
    assert args.tenant == DEFAULT_TENANT_ID
    assert args.password == DEFAULT_PASSWORD
    assert args.batch_status is None
    assert args.latency == 0.0


def test_parse_args_options() -> None:
    args = parse_args(
        ["--port", "0", "--latency", "0.5", "--seed", "9", "--batch-status", "405"]
    )
    assert args.port == 0
    assert args.latency == 0.5
    assert args.seed == 9
    assert args.batch_status == 405


async def test_connection_help_lists_everything() -> None:
    async with Simulator() as sim:
        text = connection_help(sim)
        base_url = sim.base_url
    assert f"{base_url}/v1" in text
    for expected in (DEFAULT_TENANT_ID, DEFAULT_PASSWORD, DEFAULT_API_KEY):
        assert expected in text
    assert "/_simulator/faults" in text
    assert "/_simulator/config" in text


def read_base_url(process: subprocess.Popen[bytes], timeout: float) -> str:
    """Read the child's stdout until it prints its base URL.

    Raises:
        TimeoutError: No base URL within `timeout` seconds.
        EOFError: The child closed stdout first.

    """
    assert process.stdout is not None
    descriptor = process.stdout.fileno()
    deadline = time.monotonic() + timeout
    output = b""
    with selectors.DefaultSelector() as selector:
        selector.register(descriptor, selectors.EVENT_READ)
        while (match := re.search(rb"Base URL:\s+(\S+)", output)) is None:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                msg = f"No base URL from the simulator after {timeout} s: {output!r}"
                raise TimeoutError(msg)
            chunk = os.read(descriptor, 4096)
            if not chunk:
                msg = f"The simulator closed stdout before its base URL: {output!r}"
                raise EOFError(msg)
            output += chunk
    return match.group(1).decode()


def test_cli_serves_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "simulator", "--port", "0", "--seed", "5"],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        base_url = read_base_url(process, timeout=15)
        assert base_url.startswith("http://127.0.0.1:")

        url = base_url.removesuffix("/v1") + "/_simulator/config"
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
            config = json.load(response)
        assert config["seed"] == 5

        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert b"Stopping the simulator" in stderr
