# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Async, typed client for the CxEngage realtime statistics API.

This package imports nothing from Home Assistant.
"""

from .auth import Credentials
from .client import CxEngageClient
from .const import REGION_BASE_URLS, REGION_CONSOLE_URLS, AuthMethod, Region
from .exceptions import (
    CxEngageAuthenticationError,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    CxEngageTenantNotFoundError,
    CxEngageValidationError,
    InvalidBaseUrlError,
    InvalidFilterError,
    InvalidStatisticError,
    InvalidTenantIdError,
)
from .models import (
    AgentInfo,
    CountResult,
    ItemError,
    ListResult,
    PercentageResult,
    QueueInfo,
    RequestCounters,
    StatisticDefinition,
    StatisticQuery,
    StatisticResult,
    TimeResult,
)
from .validation import normalize_base_url, normalize_tenant_id

__all__ = [
    "REGION_BASE_URLS",
    "REGION_CONSOLE_URLS",
    "AgentInfo",
    "AuthMethod",
    "CountResult",
    "Credentials",
    "CxEngageAuthenticationError",
    "CxEngageClient",
    "CxEngageConnectionError",
    "CxEngageError",
    "CxEngageForbiddenError",
    "CxEngageInvalidResponseError",
    "CxEngageRateLimitError",
    "CxEngageTenantNotFoundError",
    "CxEngageValidationError",
    "InvalidBaseUrlError",
    "InvalidFilterError",
    "InvalidStatisticError",
    "InvalidTenantIdError",
    "ItemError",
    "ListResult",
    "PercentageResult",
    "QueueInfo",
    "Region",
    "RequestCounters",
    "StatisticDefinition",
    "StatisticQuery",
    "StatisticResult",
    "TimeResult",
    "normalize_base_url",
    "normalize_tenant_id",
]
