# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Constants of the CxEngage API client: regions, auth methods, filters and limits."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class Region(StrEnum):
    """CxEngage region that hosts a tenant."""

    NORTH_AMERICA = "north_america"
    EUROPE = "europe"
    CUSTOM = "custom"


class AuthMethod(StrEnum):
    """Way the client authenticates its requests."""

    BASIC = "basic"
    """Username and password sent as HTTP Basic credentials on every request."""

    TOKEN = "token"  # noqa: S105 - an enum value, not a password
    """Username and password exchanged at POST /v1/tokens for a token."""

    API_KEY = "api_key"
    """API key and secret exchanged, with the tenant id, at POST /v1/tokens."""


REGION_BASE_URLS: Final[dict[Region, str]] = {
    Region.NORTH_AMERICA: "https://api.cxengage.net",
    Region.EUROPE: "https://eu-west-1-prod-api.cxengage.net",
}
REGION_CONSOLE_URLS: Final[dict[Region, str]] = {
    Region.NORTH_AMERICA: "https://cxengage.net",
    Region.EUROPE: "https://eu-cxengage.net",
}

DEFAULT_REQUEST_TIMEOUT: Final = 15.0
"""Timeout in seconds for one HTTP request, including reading the body."""

# NOTE: CxEngage documents no maximum batch size, so 50 items per request is a guess
# that keeps each request small.
DEFAULT_BATCH_CHUNK_SIZE: Final = 50
# Requests of one client in flight at once, apart from batch requests.
DEFAULT_MAX_CONCURRENT_REQUESTS: Final = 8
# NOTE: Batch requests in flight at once. 20 chunks of 50 cover 1000 statistics in one
# round trip. CxEngage documents no rate limit, so this bound is a guess too.
DEFAULT_MAX_CONCURRENT_BATCHES: Final = 20
# Request bodies of distinct chunks that a client keeps for its next polls.
BATCH_BODY_CACHE_SIZE: Final = 64

MAX_RESPONSE_BYTES: Final = 8 * 1024 * 1024
"""Size limit of a response body. A larger body raises CxEngageInvalidResponseError."""

DEFAULT_TOKEN_TTL: Final = 86_400.0
"""Token lifetime in seconds when neither `ttl` nor the JWT `exp` claim gives one."""

TOKEN_RENEWAL_MARGIN: Final = 300.0
"""Seconds before expiry at which a token is renewed, at most 10% of its lifetime."""

STATISTIC_NAME_PATTERN: Final = r"[a-z0-9][a-z0-9-]{0,127}"

UUID_FILTER_KEYS: Final = frozenset({"queue-id", "resource-id", "group-id", "skill-id"})
CHANNEL_TYPE_FILTER: Final = "channelType"
DIRECTION_FILTER: Final = "direction"
FILTER_KEYS: Final = UUID_FILTER_KEYS | {CHANNEL_TYPE_FILTER, DIRECTION_FILTER}

CHANNEL_TYPES: Final = frozenset({"email", "messaging", "sms", "voice", "work-item"})
DIRECTIONS: Final = frozenset({"inbound", "outbound", "agent-initiated"})

# Spellings accepted for each filter key. The API uses kebab-case for the id filters and
# camelCase for channelType. Python keyword arguments need the snake_case forms.
FILTER_KEY_ALIASES: Final[dict[str, str]] = {
    "queue-id": "queue-id",
    "queue_id": "queue-id",
    "queueId": "queue-id",
    "resource-id": "resource-id",
    "resource_id": "resource-id",
    "resourceId": "resource-id",
    "group-id": "group-id",
    "group_id": "group-id",
    "groupId": "group-id",
    "skill-id": "skill-id",
    "skill_id": "skill-id",
    "skillId": "skill-id",
    "channelType": "channelType",
    "channel-type": "channelType",
    "channel_type": "channelType",
    "direction": "direction",
}

# Keys of `results` that contain the rows of a list statistic, in order of preference.
LIST_RESULT_KEYS: Final = ("interactions", "details", "resourceCapacity")
