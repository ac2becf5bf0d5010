"""Run the benchmark and write docs/benchmarks.md: `python -m scripts.bench_ha`.

scripts/bench runs this inside the project environment. It starts the simulator in
one process, then one Home Assistant worker process per measurement (see worker.py),
one after another, and renders their results with report.py.
"""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
import json
import logging
from pathlib import Path
import subprocess
import sys
import tempfile
import time
from typing import IO, TYPE_CHECKING, Final
import urllib.request

from scripts.bench_ha.report import Run, render_report
from scripts.bench_ha.results import IntegrationName, WorkerResult, WorkerSpec
from scripts.bench_ha.workload import queues_needed

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

_LOGGER = logging.getLogger("bench")

DEFAULT_SIZES: Final = (10, 50, 200, 1000)
DEFAULT_OUTPUT: Final = "docs/benchmarks.md"
# Seconds one worker may take before the benchmark gives up on it.
WORKER_TIMEOUT: Final = 420.0
# Seconds the simulator may take to start listening.
SIMULATOR_START_TIMEOUT: Final = 60.0
# The sizes profiled after the measurements.
PROFILE_SIZES: Final = (50, 1000)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description=(
            "Compare this integration with the rest integration in a real Home "
            "Assistant core against the simulator on 127.0.0.1, and write the "
            "results as Markdown."
        ),
    )

    # What to measure.
    parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in DEFAULT_SIZES),
        help="numbers of tracked statistics, comma-separated (default %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="Home Assistant processes per integration and size (default 3)",
    )
    parser.add_argument(
        "--polls",
        type=int,
        default=10,
        help="measured polls of each kind per process (default 10)",
    )
    parser.add_argument(
        "--fallback-polls",
        type=int,
        default=3,
        help="measured polls of each kind without the batch endpoint (default 3)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the simulator adds to every API request (default 0.05)",
    )

    # Profiles and output.
    parser.add_argument(
        "--no-profile",
        action="store_true",
        help="skip the profiled runs and the report's profile section",
    )
    parser.add_argument(
        "--profile-dir",
        help="also keep the pyinstrument profiles (text) in this folder",
    )
    parser.add_argument(
        "--output", default=DEFAULT_OUTPUT, help="Markdown file (default %(default)s)"
    )
    parser.add_argument("--json", help="also write every raw result to this file")
    parser.add_argument(
        "--command",
        default="scripts/bench",
        help="the command line to print in the report (scripts/bench sets it)",
    )
    parser.add_argument(
        "--environment",
        default="",
        help="how the environment was set up, for the report (scripts/bench sets it)",
    )
    args = parser.parse_args(argv)

    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        parser.error(f"--sizes must be integers separated by commas: {args.sizes!r}")
    if any(size < 1 for size in args.sizes):
        parser.error("--sizes must all be at least 1")
    for name in ("repeats", "polls", "fallback_polls"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.latency < 0:
        parser.error("--latency must be at least 0 seconds")
    return args


class SimulatorProcess:
    """The simulator host (simulator_host.py) in a child process."""

    def __init__(self, queues: int) -> None:
        """Start the process and wait until it listens.

        Raises:
            RuntimeError: the simulator did not start in time.
        """
        self._process = subprocess.Popen(  # noqa: S603 - our own module
            [
                sys.executable,
                "-m",
                "scripts.bench_ha.simulator_host",
                "--queues",
                str(queues),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url = self._read_ready_line()

    def _read_ready_line(self) -> str:
        stdout: IO[str] | None = self._process.stdout
        assert stdout is not None  # noqa: S101 - opened with stdout=PIPE
        deadline = time.monotonic() + SIMULATOR_START_TIMEOUT
        while time.monotonic() < deadline:
            line = stdout.readline()
            if line.startswith("READY "):
                return line.split()[1]
            if not line and self._process.poll() is not None:
                break
        self.stop()
        msg = (
            "The simulator did not start; run python -m scripts.bench_ha.simulator_host"
        )
        raise RuntimeError(msg)

    def configure(self, **settings: object) -> None:
        """Change simulator settings through PUT /_simulator/config."""
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL
            f"{self.base_url}/_simulator/config",
            data=json.dumps(settings).encode(),
            method="PUT",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()

    def stop(self) -> None:
        """Close the simulator's standard input, which stops it, and wait."""
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


@contextlib.contextmanager
def running_simulator(queues: int) -> Iterator[SimulatorProcess]:
    """Run the simulator for the duration of the block."""
    simulator = SimulatorProcess(queues)
    try:
        yield simulator
    finally:
        simulator.stop()


def run_worker(spec: WorkerSpec, folder: Path) -> WorkerResult:
    """Run one worker process and return its result.

    Raises:
        RuntimeError: the worker failed or timed out; the message ends with its log.
    """
    name = f"{spec.integration}-{spec.size}-{int(time.monotonic() * 1000)}"
    spec_path = folder / f"{name}.spec.json"
    result_path = folder / f"{name}.result.json"
    log_path = folder / f"{name}.log"
    spec_path.write_text(json.dumps(asdict(spec)))
    with log_path.open("w") as log:
        try:
            completed = subprocess.run(  # noqa: S603 - our own module
                [
                    sys.executable,
                    "-m",
                    "scripts.bench_ha.worker",
                    str(spec_path),
                    str(result_path),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=WORKER_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            failure = f"timed out after {WORKER_TIMEOUT:.0f} s"
        else:
            failure = (
                ""
                if completed.returncode == 0
                else f"exited with {completed.returncode}"
            )
    if failure or not result_path.exists():
        tail = "\n".join(log_path.read_text().splitlines()[-30:])
        msg = f"The worker for {spec} {failure or 'wrote no result'}:\n{tail}"
        raise RuntimeError(msg)
    return WorkerResult.from_json(json.loads(result_path.read_text()))


@dataclass(frozen=True, slots=True)
class Step:
    """One worker run and the simulator's batch status for it (None: available)."""

    spec: WorkerSpec
    batch_status: int | None = None


def plan_steps(
    args: argparse.Namespace, base_url: str, profile_dir: Path
) -> list[Step]:
    """Return every worker run, in the order they run.

    The timing runs alternate which integration goes first, so that a slow phase
    of the machine does not always hit the same one.
    """
    order: tuple[IntegrationName, IntegrationName] = ("cxengage", "rest")
    steps: list[Step] = []
    for repeat in range(args.repeats):
        for index, size in enumerate(args.sizes):
            first_rest = (repeat + index) % 2 == 1
            for integration in reversed(order) if first_rest else order:
                spec = WorkerSpec(integration, size, base_url, args.polls)
                steps.append(Step(spec))
    for size in args.sizes:
        spec = WorkerSpec(
            "cxengage", size, base_url, args.fallback_polls, fallback=True
        )
        steps.append(Step(spec, batch_status=404))
    for size in args.sizes:
        steps.extend(
            Step(WorkerSpec(integration, size, base_url, 1, memory=True))
            for integration in order
        )
        spec = WorkerSpec("cxengage", size, base_url, 1, memory=True, fallback=True)
        steps.append(Step(spec, batch_status=404))
    if not args.no_profile:
        for size in [size for size in args.sizes if size in PROFILE_SIZES]:
            for integration in order:
                path = profile_dir / f"profile-{integration}-{size}.txt"
                spec = WorkerSpec(
                    integration, size, base_url, args.polls, profile=str(path)
                )
                steps.append(Step(spec))
    return steps


def run_benchmark(args: argparse.Namespace) -> Run:
    """Run every step against one simulator and return the results."""
    started_at = datetime.now(UTC)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="bench-") as scratch,
        running_simulator(queues_needed(max(args.sizes))) as simulator,
    ):
        profile_dir = Path(args.profile_dir or scratch)
        profile_dir.mkdir(parents=True, exist_ok=True)
        steps = plan_steps(args, simulator.base_url, profile_dir)
        results: list[WorkerResult] = []
        for number, step in enumerate(steps, start=1):
            simulator.configure(latency=args.latency, batch_status=step.batch_status)
            step_started = time.monotonic()
            results.append(run_worker(step.spec, Path(scratch)))
            spec = step.spec
            kind = "timing"
            if spec.memory:
                kind = "memory"
            elif spec.profile:
                kind = "profile"
            _LOGGER.info(
                "[%d/%d] %s%s N=%d %s: %.1f s",
                number,
                len(steps),
                spec.integration,
                " without batch" if spec.fallback else "",
                spec.size,
                kind,
                time.monotonic() - step_started,
            )
    return Run(
        results=results,
        sizes=args.sizes,
        repeats=args.repeats,
        polls=args.polls,
        fallback_polls=args.fallback_polls,
        latency=args.latency,
        command=args.command,
        environment=args.environment,
        started_at=started_at,
        duration=time.monotonic() - started,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, write the report, and return the exit status."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="==> %(message)s")
    try:
        run = run_benchmark(args)
    except RuntimeError as err:
        _LOGGER.error("Benchmark failed: %s", err)  # noqa: TRY400 - the log is in err
        return 1
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_report(run))
    if args.json:
        Path(args.json).write_text(
            json.dumps([asdict(result) for result in run.results], indent=1)
        )
    _LOGGER.info("Wrote %s in %.0f s", output, run.duration)
    return 0


if __name__ == "__main__":
    sys.exit(main())
