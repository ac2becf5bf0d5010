"""Serve the simulator in its own process, with the controls that the benchmark needs.

    python -m scripts.bench_ha.simulator_host --queues 200

prints `READY <base URL>` once it listens on 127.0.0.1 and serves until its
standard input closes or it gets SIGTERM. Besides the simulator's own control
endpoints under /_simulator/, it serves:

- `PUT /_bench/clock` with `{"time": <epoch seconds> | null}`: freezes the clock of
  the statistic values, or lets it follow the system clock again (null).
- `GET /_bench/cpu`: `{"process_time": <seconds>}`, the CPU time of this process,
  so that the benchmark can report the API's CPU per poll.

Like the simulator's control endpoints, these get no latency and are not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
import time
from typing import TYPE_CHECKING, Final

from aiohttp import web

from scripts.bench_ha.workload import generated_queue_id
from simulator import SimulatorConfig, directory
from simulator.app import ROUTE_ENDPOINTS, create_app
from simulator.control import CONTROL_ENDPOINT
from simulator.state import SimulatorState, system_time

if TYPE_CHECKING:
    from collections.abc import Callable

_LOGGER = logging.getLogger("bench.simulator")

STATE: Final = web.AppKey("bench_state", SimulatorState)


def add_generated_queues(count: int) -> None:
    """Serve `count` more queues, in this process only.

    The simulator checks `queue-id` filters against `directory.QUEUES_BY_ID`, and
    `GET /queues` lists `directory.QUEUES`, so the new queues go into both. They get
    values like any queue. The tenant-wide sums and the list statistics still cover
    only the four fixed queues, because `values` and `rows` keep their own
    reference to the original tuple.
    """
    queues = [
        directory.Queue(
            generated_queue_id(index),
            f"Bench queue {index + 1}",
            "Generated for the benchmark",
        )
        for index in range(count)
    ]
    for queue in queues:
        directory.QUEUES_BY_ID[queue.id] = queue
    directory.QUEUES = (*directory.QUEUES, *queues)  # type: ignore[assignment, misc]


def _frozen_clock(moment: float) -> Callable[[], float]:
    return lambda: moment


async def _put_clock(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        body = json.loads(await request.read())
        moment = body["time"]
    except (ValueError, KeyError, TypeError) as err:
        return web.json_response({"error": f"Invalid clock body: {err}"}, status=400)
    if moment is None:
        state.clock = system_time
    elif isinstance(moment, int | float) and not isinstance(moment, bool):
        state.clock = _frozen_clock(float(moment))
    else:
        message = f"Invalid clock time {moment!r}: expected epoch seconds or null"
        return web.json_response({"error": message}, status=400)
    return web.json_response({"time": moment})


async def _get_cpu(_request: web.Request) -> web.Response:
    return web.json_response({"process_time": time.process_time()})


def create_bench_app(state: SimulatorState) -> web.Application:
    """Build the simulator's application with the two benchmark routes added."""
    app = create_app(state)
    app[STATE] = state
    for method, path, handler in (
        ("PUT", "/_bench/clock", _put_clock),
        ("GET", "/_bench/cpu", _get_cpu),
    ):
        route = app.router.add_route(method, path, handler)
        # Marked as control routes, so the simulator neither delays nor counts them.
        app[ROUTE_ENDPOINTS][route] = CONTROL_ENDPOINT
    return app


async def serve(queues: int, port: int) -> None:
    """Serve on 127.0.0.1 until standard input closes or SIGTERM arrives."""
    add_generated_queues(queues)
    state = SimulatorState(SimulatorConfig())
    runner = web.AppRunner(create_bench_app(state), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, bound_port = runner.addresses[0][:2]
    sys.stdout.write(f"READY http://{host}:{bound_port}\n")
    sys.stdout.flush()

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    # End with the parent: its end closes our standard input.
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    eof = asyncio.ensure_future(reader.read())
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((eof, stopped), return_when=asyncio.FIRST_COMPLETED)
    finally:
        eof.cancel()
        stopped.cancel()
        state.stopping.set()
        await runner.cleanup()


def main() -> None:
    """Parse the command line and serve."""
    parser = argparse.ArgumentParser(prog="python -m scripts.bench_ha.simulator_host")
    parser.add_argument(
        "--queues", type=int, default=0, help="extra queues to generate (default 0)"
    )
    parser.add_argument("--port", type=int, default=0, help="TCP port (0 = any)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.queues, args.port))


if __name__ == "__main__":
    main()
