"""Benchmark of the CxEngage integration against Home Assistant's `rest` integration.

`scripts/bench` runs `python -m scripts.bench_ha` inside the project environment. It
starts the simulator in one process and, for each configuration, a Home Assistant
core in another (see `worker`), then writes docs/benchmarks.md (see `report`).
"""
