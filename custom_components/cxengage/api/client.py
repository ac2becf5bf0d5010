# Copyright 2026 cxengage-ha contributors
# SPDX-License-Identifier: MIT
"""Async client for the CxEngage realtime statistics API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from http import HTTPStatus
import json
import logging
import math
import time
from typing import TYPE_CHECKING, Final, cast

import aiohttp
from yarl import URL

from .auth import Credentials, TokenManager, basic_authorization, token_request_body
from .const import (
    BATCH_BODY_CACHE_SIZE,
    DEFAULT_BATCH_CHUNK_SIZE,
    DEFAULT_MAX_CONCURRENT_BATCHES,
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_REQUEST_TIMEOUT,
    MAX_RESPONSE_BYTES,
    AuthMethod,
)
from .exceptions import (
    CxEngageAuthenticationError,
    CxEngageConnectionError,
    CxEngageError,
    CxEngageForbiddenError,
    CxEngageInvalidResponseError,
    CxEngageRateLimitError,
    CxEngageTenantNotFoundError,
    CxEngageValidationError,
    InvalidStatisticError,
)
from .models import (
    AgentInfo,
    ItemError,
    QueueInfo,
    RequestCounters,
    StatisticDefinition,
    StatisticQuery,
    StatisticResult,
)
from .parsing import (
    decode_json,
    parse_available,
    parse_batch,
    parse_queues,
    parse_retry_after,
    parse_statistic,
    parse_token,
    parse_users,
    status_reason,
)
from .validation import normalize_base_url, normalize_tenant_id

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

_LOGGER = logging.getLogger(__name__)

_READ_CHUNK_BYTES: Final = 64 * 1024
# Statuses of the batch endpoint that mean this server has no batch endpoint.
# NOTE: A 404 could also mean an unknown tenant. Then every single GET in the fallback
# fails with ItemError(404, ...), so check the tenant with get_available_statistics().
_BATCH_UNSUPPORTED: Final = frozenset(
    {HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED}
)
# Statuses of a single statistic that fail only that statistic in the batch fallback.
_PER_ITEM_FAILURES: Final = frozenset(
    status
    for status in range(400, 500)
    if status
    not in {
        HTTPStatus.UNAUTHORIZED,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.TOO_MANY_REQUESTS,
    }
)

type StatisticsResult = dict[StatisticQuery, StatisticResult | ItemError]


@dataclass(frozen=True, slots=True)
class _Response:
    """Status, headers and body of one response. The body is read for 2xx only."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def _parse_payload[P, T](parser: Callable[[P], T], payload: P, where: str) -> T:
    """Run a parser, prefixing the request to the message of an invalid response."""
    try:
        return parser(payload)
    except CxEngageInvalidResponseError as err:
        msg = f"{where}: {err}"
        raise CxEngageInvalidResponseError(msg, status=err.status) from err


def _require_query(query: object) -> StatisticQuery:
    if not isinstance(query, StatisticQuery):
        msg = f"Expected a StatisticQuery, got {type(query).__name__}"
        raise TypeError(msg)
    return query


def _unwrap_gathered[T](outcomes: Sequence[T | BaseException]) -> list[T]:
    """Return the results of asyncio.gather(return_exceptions=True).

    Raises:
        BaseException: the first exception among the outcomes, in input order.
    """
    values: list[T] = []
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
        values.append(outcome)
    return values


def _classify_status(
    status: int, not_found: type[CxEngageError]
) -> tuple[type[CxEngageError], str]:
    """Return the exception class and the message text for a status other than 2xx."""
    if 300 <= status < 400:  # noqa: PLR2004
        return CxEngageInvalidResponseError, "returned an unexpected redirect"
    if status >= 500:  # noqa: PLR2004
        return CxEngageConnectionError, "failed with a server error"
    if status < 200:  # noqa: PLR2004
        return CxEngageInvalidResponseError, "returned an unexpected status"

    by_status: dict[int, tuple[type[CxEngageError], str]] = {
        HTTPStatus.UNAUTHORIZED: (
            CxEngageAuthenticationError,
            "rejected the credentials",
        ),
        HTTPStatus.FORBIDDEN: (
            CxEngageForbiddenError,
            "is not permitted for this role",
        ),
        HTTPStatus.NOT_FOUND: (not_found, "was not found"),
    }
    return by_status.get(status, (CxEngageError, "failed"))


class CxEngageClient:
    """Client of one CxEngage tenant's realtime statistics.

    The client does not own the aiohttp session and never closes it.
    """

    def __init__(  # noqa: PLR0913 - the keyword arguments are the client's settings
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        tenant_id: str,
        credentials: Credentials,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        batch_chunk_size: int = DEFAULT_BATCH_CHUNK_SIZE,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        max_concurrent_batches: int = DEFAULT_MAX_CONCURRENT_BATCHES,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Validate the settings. No request is sent until a method is called.

        `request_timeout` is in seconds and covers one whole request, body included.
        `max_concurrent_batches` bounds the batch requests in flight, and
        `max_concurrent_requests` every other request.
        `clock` returns seconds since the epoch. Tests replace it to age tokens.

        Raises:
            InvalidBaseUrlError: base_url is not a valid API origin.
            InvalidTenantIdError: tenant_id is not a UUID.
            CxEngageValidationError: another setting is out of range.
        """
        self._base_url = normalize_base_url(base_url)
        self._tenant_id = normalize_tenant_id(tenant_id)

        if not isinstance(cast("object", credentials), Credentials):
            kind = type(credentials).__name__
            msg = f"Invalid credentials: expected Credentials, got {kind}"
            raise CxEngageValidationError(msg)
        if not math.isfinite(request_timeout) or request_timeout <= 0:
            msg = f"Invalid request timeout {request_timeout!r}: expected seconds > 0"
            raise CxEngageValidationError(msg)
        for name, value in (
            ("batch_chunk_size", batch_chunk_size),
            ("max_concurrent_requests", max_concurrent_requests),
            ("max_concurrent_batches", max_concurrent_batches),
            ("max_response_bytes", max_response_bytes),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                msg = f"Invalid {name} {value!r}: expected an integer >= 1"
                raise CxEngageValidationError(msg)

        self._session = session
        self._credentials = credentials
        self._request_timeout = request_timeout
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._batch_chunk_size = batch_chunk_size
        self._max_response_bytes = max_response_bytes
        self._semaphore = asyncio.Semaphore(max_concurrent_requests)
        self._batch_semaphore = asyncio.Semaphore(max_concurrent_batches)
        # Encoded batch request bodies by chunk: a coordinator sends the same chunks
        # on every poll.
        self._batch_bodies: dict[tuple[StatisticQuery, ...], bytes] = {}
        self._clock = clock
        self._batch_supported: bool | None = None
        self.counters = RequestCounters()

        self._api_root = URL(self._base_url) / "v1"
        self._tenant_root = self._api_root / "tenants" / self._tenant_id

        self._basic_authorization: str | None = None
        self._tokens: TokenManager | None = None
        if credentials.method is AuthMethod.BASIC:
            self._basic_authorization = basic_authorization(
                credentials.username, credentials.secret
            )
        else:
            self._tokens = TokenManager(self._fetch_token, clock)

    @property
    def base_url(self) -> str:
        """Normalised API origin, such as "https://api.cxengage.net"."""
        return self._base_url

    @property
    def tenant_id(self) -> str:
        """Normalised (lowercase) tenant id."""
        return self._tenant_id

    @property
    def batch_supported(self) -> bool | None:
        """Whether the batch endpoint works: None until the first batch request."""
        return self._batch_supported

    async def get_available_statistics(self) -> dict[str, StatisticDefinition]:
        """Fetch the tenant's statistic catalogue, keyed by statistic name.

        Raises:
            CxEngageTenantNotFoundError: the server returned 404.
            CxEngageError: see the module's exceptions for the other failures.
        """
        url = self._tenant_root / "realtime-statistics" / "available"
        payload = await self._get_json(url, not_found=CxEngageTenantNotFoundError)
        return _parse_payload(parse_available, payload, f"GET {url.path}")

    async def get_statistic(self, query: StatisticQuery) -> StatisticResult:
        """Fetch one statistic with a single GET, filters in the query string.

        Raises:
            InvalidStatisticError: the server returned 404 for this statistic.
            CxEngageError: with the status, for a 400 or another unexpected 4xx.
        """
        url = self._statistic_url(_require_query(query))
        payload = await self._get_json(url, not_found=InvalidStatisticError)
        return _parse_payload(parse_statistic, payload, f"GET {url.path}")

    async def get_statistics(
        self, queries: Iterable[StatisticQuery]
    ) -> StatisticsResult:
        """Fetch many statistics, one batch request per chunk of queries.

        Duplicate queries are sent once, and an empty input sends nothing. A failed
        item becomes an ItemError: for example ItemError(404, "not_found"), or
        ItemError(None, "missing") when the response leaves the item out.
        If the batch endpoint returns 404 or 405, this client falls back to single
        GETs from then on, and a 4xx other than 401, 403 and 429 becomes an ItemError.

        Raises:
            CxEngageAuthenticationError, CxEngageForbiddenError, CxEngageRateLimitError,
            CxEngageConnectionError, CxEngageInvalidResponseError: for the whole call.
        """
        unique: dict[StatisticQuery, None] = {}
        for query in queries:
            unique[_require_query(query)] = None
        if not unique:
            return {}

        ordered = list(unique)
        size = self._batch_chunk_size
        chunks = [
            ordered[start : start + size] for start in range(0, len(ordered), size)
        ]

        results: StatisticsResult = {}
        if self._batch_supported is None:
            # Probe with the first chunk, so that a server without the batch endpoint
            # gets one rejected batch request rather than one per chunk.
            results.update(await self._fetch_chunk(chunks.pop(0)))

        outcomes = await asyncio.gather(
            *(self._fetch_chunk(chunk) for chunk in chunks), return_exceptions=True
        )
        for outcome in _unwrap_gathered(outcomes):
            results.update(outcome)
        return {query: results[query] for query in ordered}

    async def get_queues(self) -> list[QueueInfo]:
        """Fetch the tenant's queues. Rows without a valid id are skipped.

        Raises:
            CxEngageTenantNotFoundError: the server returned 404.
        """
        url = self._tenant_root / "queues"
        payload = await self._get_json(url, not_found=CxEngageTenantNotFoundError)
        return _parse_payload(parse_queues, payload, f"GET {url.path}")

    async def get_users(self) -> list[AgentInfo]:
        """Fetch the tenant's users (agents). Rows without a valid id are skipped.

        Raises:
            CxEngageTenantNotFoundError: the server returned 404.
        """
        url = self._tenant_root / "users"
        payload = await self._get_json(url, not_found=CxEngageTenantNotFoundError)
        return _parse_payload(parse_users, payload, f"GET {url.path}")

    def _statistic_url(self, query: StatisticQuery) -> URL:
        # NOTE: Public clients send filters only inside batch items. That the single
        # GET takes the same keys as query parameters is an unconfirmed assumption.
        url = self._tenant_root / "realtime-statistics" / query.statistic
        if query.filters:
            url = url.with_query(list(query.filters))
        return url

    async def _fetch_chunk(self, chunk: list[StatisticQuery]) -> StatisticsResult:
        if self._batch_supported is not False:
            results = await self._fetch_batch(chunk)
            if results is not None:
                return results

        outcomes = await asyncio.gather(
            *(self._fetch_single_item(query) for query in chunk), return_exceptions=True
        )
        return dict(zip(chunk, _unwrap_gathered(outcomes), strict=True))

    async def _fetch_batch(
        self, chunk: list[StatisticQuery]
    ) -> StatisticsResult | None:
        """Send one batch request. Return None if the server has no batch endpoint."""
        request_ids = [str(index) for index in range(len(chunk))]
        url = self._tenant_root / "realtime-statistics" / "batch"
        response = await self._request(
            "POST", url, body=self._batch_body(chunk), limit=self._batch_semaphore
        )

        if response.status in _BATCH_UNSUPPORTED:
            if self._batch_supported is not False:
                _LOGGER.info(
                    "POST %s returned HTTP %d, so this client fetches statistics with "
                    "single requests from now on",
                    url.path,
                    response.status,
                )
            self._batch_supported = False
            return None

        payload = self._payload(response, "POST", url, not_found=CxEngageError)
        self._batch_supported = True
        parsed = _parse_payload(
            lambda data: parse_batch(data, request_ids), payload, f"POST {url.path}"
        )
        return {
            query: parsed[request_id]
            for request_id, query in zip(request_ids, chunk, strict=True)
        }

    def _batch_body(self, chunk: list[StatisticQuery]) -> bytes:
        """Return the encoded request of a chunk, whose item ids are 0, 1, 2, ..."""
        key = tuple(chunk)
        body = self._batch_bodies.get(key)
        if body is None:
            requests = {str(index): query.to_json() for index, query in enumerate(key)}
            body = json.dumps({"requests": requests}).encode()
            if len(self._batch_bodies) >= BATCH_BODY_CACHE_SIZE:
                self._batch_bodies.clear()
            self._batch_bodies[key] = body
        return body

    async def _fetch_single_item(
        self, query: StatisticQuery
    ) -> StatisticResult | ItemError:
        """Fetch one statistic for the batch fallback. Item failures are returned."""
        url = self._statistic_url(query)
        response = await self._request("GET", url)
        status = response.status

        if 200 <= status < 300:  # noqa: PLR2004
            try:
                return parse_statistic(decode_json(response.body))
            except CxEngageInvalidResponseError as err:
                _LOGGER.debug("GET %s returned an invalid statistic: %s", url.path, err)
                return ItemError(status=status, reason="invalid_response")

        if status in _PER_ITEM_FAILURES:
            _LOGGER.debug("GET %s returned HTTP %d for %s", url.path, status, query.key)
            return ItemError(status=status, reason=status_reason(status))

        raise self._status_error(response, "GET", url, not_found=InvalidStatisticError)

    async def _get_json(self, url: URL, *, not_found: type[CxEngageError]) -> object:
        response = await self._request("GET", url)
        return self._payload(response, "GET", url, not_found=not_found)

    def _payload(
        self,
        response: _Response,
        method: str,
        url: URL,
        *,
        not_found: type[CxEngageError],
    ) -> object:
        """Decode the JSON body of a 2xx response, or raise the error for the status."""
        if not 200 <= response.status < 300:  # noqa: PLR2004
            raise self._status_error(response, method, url, not_found=not_found)
        return _parse_payload(decode_json, response.body, f"{method} {url.path}")

    def _status_error(
        self,
        response: _Response,
        method: str,
        url: URL,
        *,
        not_found: type[CxEngageError],
    ) -> CxEngageError:
        """Return the exception for a status other than 2xx."""
        status = response.status
        where = f"{method} {url.path}"

        if status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), self._clock()
            )
            msg = f"{where} was rate limited (HTTP 429)"
            if retry_after is not None:
                msg += f", retry after {retry_after:.0f} s"
            return CxEngageRateLimitError(msg, retry_after=retry_after)

        error_class, description = _classify_status(status, not_found)
        return error_class(f"{where} {description} (HTTP {status})", status=status)

    async def _request(
        self,
        method: str,
        url: URL,
        *,
        body: bytes | None = None,
        limit: asyncio.Semaphore | None = None,
    ) -> _Response:
        """Send an authenticated request, renewing the token once on a 401.

        `body` is JSON, already encoded. `limit` bounds the requests in flight, by
        default the client's bound for requests other than batches.

        Raises:
            CxEngageAuthenticationError: 401 with Basic auth, or 401 again after the
                token was renewed.
        """
        async with limit or self._semaphore:
            if self._tokens is None:
                assert self._basic_authorization is not None  # noqa: S101
                response = await self._send(
                    method, url, self._basic_authorization, body
                )
                if response.status == HTTPStatus.UNAUTHORIZED:
                    raise self._status_error(
                        response, method, url, not_found=CxEngageError
                    )
                return response

            token = await self._tokens.get_token()
            response = await self._send(method, url, f"Token {token}", body)
            if response.status != HTTPStatus.UNAUTHORIZED:
                return response

            _LOGGER.debug(
                "%s %s returned 401; renewing the token and retrying once",
                method,
                url.path,
            )
            token = await self._tokens.renew(token)
            response = await self._send(method, url, f"Token {token}", body)
            if response.status == HTTPStatus.UNAUTHORIZED:
                self._tokens.invalidate()
                msg = f"{method} {url.path} rejected a newly issued token (HTTP 401)"
                raise CxEngageAuthenticationError(msg, status=response.status)
            return response

    async def _fetch_token(self) -> tuple[str, float | None]:
        """Exchange the credentials for a token at POST /v1/tokens."""
        url = self._api_root / "tokens"
        body = json.dumps(
            token_request_body(self._credentials, self._tenant_id)
        ).encode()

        self.counters.token_requests += 1
        response = await self._send("POST", url, None, body)
        if response.status == HTTPStatus.BAD_REQUEST:
            # The token endpoint rejects a body it cannot match to credentials with
            # 400, e.g. an API key sent as a username without its tenant.
            msg = f"POST {url.path} rejected the credentials (HTTP 400)"
            raise CxEngageAuthenticationError(msg, status=response.status)
        payload = self._payload(response, "POST", url, not_found=CxEngageError)
        return _parse_payload(parse_token, payload, f"POST {url.path}")

    async def _send(
        self, method: str, url: URL, authorization: str | None, body: bytes | None
    ) -> _Response:
        """Send one HTTP request and read the body of a 2xx response.

        Raises:
            CxEngageConnectionError: the request failed or timed out.
            CxEngageInvalidResponseError: the body is larger than the size limit.
        """
        headers = {"Accept": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        if body is not None:
            headers["Content-Type"] = "application/json"

        self.counters.requests += 1
        started = time.monotonic()
        try:
            async with self._session.request(
                method,
                url,
                headers=headers,
                data=body,
                timeout=self._timeout,
                allow_redirects=False,
                raise_for_status=False,
            ) as response:
                status = response.status
                content = b""
                if 200 <= status < 300:  # noqa: PLR2004
                    content = await self._read_body(response, f"{method} {url.path}")
                result = _Response(
                    status=status, headers=response.headers, body=content
                )
        except CxEngageError as err:
            self._record_failure(method, url, started, err)
            raise
        except TimeoutError as err:
            msg = f"{method} {url.path} timed out after {self._request_timeout:g} s"
            self._record_failure(method, url, started, err)
            raise CxEngageConnectionError(msg) from err
        except (aiohttp.ClientError, OSError) as err:
            detail = str(err) or type(err).__name__
            msg = f"{method} {url.path} failed: {detail}"
            self._record_failure(method, url, started, err)
            raise CxEngageConnectionError(msg) from err

        duration = time.monotonic() - started
        self.counters.last_request_duration = duration
        if not 200 <= status < 300:  # noqa: PLR2004
            self.counters.failures += 1
        _LOGGER.debug("%s %s -> HTTP %d in %.3f s", method, url.path, status, duration)
        return result

    async def _read_body(self, response: aiohttp.ClientResponse, where: str) -> bytes:
        limit = self._max_response_bytes
        if response.content_length is not None and response.content_length > limit:
            msg = (
                f"{where} returned a body of {response.content_length} bytes, "
                f"over the {limit} byte limit"
            )
            raise CxEngageInvalidResponseError(msg, status=response.status)

        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(_READ_CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                msg = f"{where} returned a body over the {limit} byte limit"
                raise CxEngageInvalidResponseError(msg, status=response.status)
            chunks.append(chunk)
        return b"".join(chunks)

    def _record_failure(
        self, method: str, url: URL, started: float, error: BaseException
    ) -> None:
        duration = time.monotonic() - started
        self.counters.last_request_duration = duration
        self.counters.failures += 1
        _LOGGER.debug(
            "%s %s failed after %.3f s: %s",
            method,
            url.path,
            duration,
            type(error).__name__,
        )
