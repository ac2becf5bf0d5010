"""Fixed queues, agents and users of the simulated tenant.

The ids never change, so tests can refer to them through `QUEUE_IDS` and
`AGENT_IDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

TENANT_NAME: Final = "Example Contact Centre"
REGION_ID: Final = "9d3f6c2e-5a1b-4c8d-8e7f-0a1b2c3d4e5f"

# User ids that tokens carry in their `user-id` claim.
SUPERVISOR_USER_ID: Final = "0e6a3c1b-2d4f-4a5e-9b8c-7d6e5f4a3b21"
LIMITED_USER_ID: Final = "1f7b4d2c-3e5a-4b6f-8c9d-8e7f6a5b4c32"
API_KEY_USER_ID: Final = "2a8c5e3d-4f6b-4c7a-9d0e-9f8a7b6c5d43"

# Entity timestamps are fixed so that the listings never change.
_CREATED = "2024-03-01T14:00:00Z"
_UPDATED = "2025-01-15T09:30:00Z"


@dataclass(frozen=True)
class Queue:
    """A queue of the simulated tenant."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Agent:
    """An agent (a tenant user who takes interactions)."""

    id: str
    first_name: str
    last_name: str
    state: str

    @property
    def full_name(self) -> str:
        """The first and last name, as dashboards show it."""
        return f"{self.first_name} {self.last_name}"

    @property
    def email(self) -> str:
        """The login email."""
        return f"{self.first_name.lower()}.{self.last_name.lower()}@example.com"


QUEUES: Final = (
    Queue("7c1e0a52-9b3d-4f6e-a1c2-3d4e5f6a7b01", "Sales", "New customers and offers"),
    Queue("7c1e0a52-9b3d-4f6e-a1c2-3d4e5f6a7b02", "Support", "Technical support"),
    Queue("7c1e0a52-9b3d-4f6e-a1c2-3d4e5f6a7b03", "Billing", "Invoices and payments"),
    Queue("7c1e0a52-9b3d-4f6e-a1c2-3d4e5f6a7b04", "VIP Care", "Priority customers"),
)

# The last agent is offline, so `GET /users?offline=false` returns four of the five.
AGENTS: Final = (
    Agent("a3d5f7b9-1c2e-4a6b-8d0f-2e4a6c8e0a01", "Alice", "Martin", "ready"),
    Agent("a3d5f7b9-1c2e-4a6b-8d0f-2e4a6c8e0a02", "Bruno", "Silva", "not-ready"),
    Agent("a3d5f7b9-1c2e-4a6b-8d0f-2e4a6c8e0a03", "Chloé", "Dubois", "ready"),
    Agent("a3d5f7b9-1c2e-4a6b-8d0f-2e4a6c8e0a04", "Dmitri", "Ivanov", "ready"),
    Agent("a3d5f7b9-1c2e-4a6b-8d0f-2e4a6c8e0a05", "Emma", "Schulz", "offline"),
)

QUEUE_IDS: Final = {queue.name: queue.id for queue in QUEUES}
AGENT_IDS: Final = {agent.full_name: agent.id for agent in AGENTS}
QUEUES_BY_ID: Final = {queue.id: queue for queue in QUEUES}
AGENTS_BY_ID: Final = {agent.id: agent for agent in AGENTS}


def tenant_body(tenant_id: str, timezone: str) -> dict[str, object]:
    """Build the body of `GET /v1/tenants/{tenant_id}`."""
    return {
        "result": {
            "id": tenant_id,
            "name": TENANT_NAME,
            "timezone": timezone,
            "regionId": REGION_ID,
            "active": True,
        }
    }


def queues_body(tenant_id: str) -> dict[str, object]:
    """Build the body of `GET /v1/tenants/{tenant_id}/queues`."""
    return {
        "result": [
            {
                "id": queue.id,
                "name": queue.name,
                "description": queue.description,
                "active": True,
                "activeVersion": f"{queue.id[:-2]}f{index}",
                "tenantId": tenant_id,
                "created": _CREATED,
                "createdBy": SUPERVISOR_USER_ID,
                "updated": _UPDATED,
                "updatedBy": SUPERVISOR_USER_ID,
            }
            for index, queue in enumerate(QUEUES)
        ]
    }


def users_body(tenant_id: str, *, include_offline: bool) -> dict[str, object]:
    """Build the body of `GET /v1/tenants/{tenant_id}/users`."""
    return {
        "result": [
            {
                "id": agent.id,
                "firstName": agent.first_name,
                "lastName": agent.last_name,
                "email": agent.email,
                "state": agent.state,
                "roleName": "Agent",
                "platformStatus": "enabled",
                "tenantStatus": "accepted",
                "tenantId": tenant_id,
                "externalId": None,
                "groups": [],
                "skills": [],
                "extensions": [],
            }
            for agent in AGENTS
            if include_offline or agent.state != "offline"
        ]
    }
