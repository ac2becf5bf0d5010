"""Describe the machine and software that a benchmark ran on."""

from __future__ import annotations

from importlib import metadata
import os
from pathlib import Path
import platform


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    for line in text.splitlines():
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown"


def _memory_gib() -> str:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return "unknown"
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            kib = int(line.split()[1])
            return f"{kib / 1024 / 1024:.1f} GiB"
    return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_machine(environment: str) -> str:
    """Return the Markdown section on the machine, Python and packages."""
    usable = len(os.sched_getaffinity(0))
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        "## Machine",
        "",
        f"- CPU: {_cpu_model()}, {os.cpu_count()} cores ({usable} usable)",
        f"- Memory: {_memory_gib()}",
        f"- Load average (1, 5, 15 min) when the report was written: {load}",
        f"- Kernel: {platform.system()} {platform.release()}",
        (
            f"- Python {platform.python_version()}, Home Assistant "
            f"{_version('homeassistant')}, aiohttp {_version('aiohttp')}"
        ),
    ]
    if environment:
        lines.append(f"- Environment: {environment}")
    return "\n".join(lines)
