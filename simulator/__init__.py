"""A fake CxEngage Reporting API server for tests, demos and benchmarks.

It is a development tool and is not shipped with the integration. Start it with
`python -m simulator` or, in tests::

    async with Simulator(SimulatorConfig(seed=7)) as sim:
        url = f"{sim.base_url}/v1/tenants/{DEFAULT_TENANT_ID}/realtime-statistics"
"""

from simulator.catalogue import STATISTICS, Kind, Statistic
from simulator.config import (
    DEFAULT_API_KEY,
    DEFAULT_API_SECRET,
    DEFAULT_LIMITED_PASSWORD,
    DEFAULT_LIMITED_USERNAME,
    DEFAULT_PASSWORD,
    DEFAULT_TENANT_ID,
    DEFAULT_TIMEZONE,
    DEFAULT_TOKEN_TTL,
    DEFAULT_USERNAME,
    SimulatorConfig,
)
from simulator.directory import (
    AGENT_IDS,
    AGENTS,
    API_KEY_USER_ID,
    LIMITED_USER_ID,
    QUEUE_IDS,
    QUEUES,
    REGION_ID,
    SUPERVISOR_USER_ID,
    TENANT_NAME,
)
from simulator.faults import ENDPOINTS, Fault
from simulator.server import Simulator
from simulator.state import RequestRecord
from simulator.values import BUCKET_SECONDS

__all__ = [
    "AGENTS",
    "AGENT_IDS",
    "API_KEY_USER_ID",
    "BUCKET_SECONDS",
    "DEFAULT_API_KEY",
    "DEFAULT_API_SECRET",
    "DEFAULT_LIMITED_PASSWORD",
    "DEFAULT_LIMITED_USERNAME",
    "DEFAULT_PASSWORD",
    "DEFAULT_TENANT_ID",
    "DEFAULT_TIMEZONE",
    "DEFAULT_TOKEN_TTL",
    "DEFAULT_USERNAME",
    "ENDPOINTS",
    "LIMITED_USER_ID",
    "QUEUES",
    "QUEUE_IDS",
    "REGION_ID",
    "STATISTICS",
    "SUPERVISOR_USER_ID",
    "TENANT_NAME",
    "Fault",
    "Kind",
    "RequestRecord",
    "Simulator",
    "SimulatorConfig",
    "Statistic",
]
