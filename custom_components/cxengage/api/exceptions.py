# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Exceptions raised by the CxEngage API client.

Messages name the request method, path and HTTP status. They never contain a
credential, a token or a header value.
"""

from __future__ import annotations


class CxEngageError(Exception):
    """Base class of every error raised by the client.

    Raised as such for an unexpected HTTP status, such as a 400 or 409.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        """Store the message and the HTTP status, if a response caused the error."""
        super().__init__(message)
        self.status = status


class CxEngageValidationError(CxEngageError, ValueError):
    """Invalid input, detected before any request is sent."""


class InvalidTenantIdError(CxEngageValidationError):
    """Tenant id that is not a UUID."""


class InvalidBaseUrlError(CxEngageValidationError):
    """Base URL that is not an https origin, or http on a loopback host."""


class InvalidStatisticError(CxEngageValidationError):
    """Invalid statistic name, or a statistic that the server does not know (404)."""


class InvalidFilterError(CxEngageValidationError):
    """Unknown filter key, or an invalid value for a known key."""


class CxEngageAuthenticationError(CxEngageError):
    """Credentials rejected (401), including a 401 just after renewing the token."""


class CxEngageForbiddenError(CxEngageError):
    """Request not permitted for the user's role (403)."""


class CxEngageTenantNotFoundError(CxEngageError):
    """Tenant-level endpoint not found (404), so the tenant id is probably wrong."""


class CxEngageRateLimitError(CxEngageError):
    """Too many requests (429)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int = 429
    ) -> None:
        """Store the message and the Retry-After delay in seconds, if one was sent."""
        super().__init__(message, status=status)
        self.retry_after = retry_after


class CxEngageConnectionError(CxEngageError):
    """Transport failure (timeout, DNS, refused, reset, TLS) or a 5xx response."""


class CxEngageInvalidResponseError(CxEngageError):
    """Unusable response: malformed JSON, wrong shape, body too large, or a redirect."""
