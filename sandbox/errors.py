"""Bot API errors, worded and numbered as Telegram words and numbers them."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """A failed Bot API call: becomes `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def conflict(detail: str) -> ApiError:
    return ApiError(409, f"Conflict: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


# The descriptions Telegram's front end gives for server-side failures.
_SERVER_FAILURES = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def failure(status: int, retry_after: int | None = None) -> ApiError:
    """The error Telegram would send for `status`, for injected faults."""
    if status == 429:
        return too_many_requests(retry_after if retry_after is not None else 1)
    if status == 400:
        return bad_request("injected failure")
    if status == 403:
        return forbidden("bot was blocked by the user")
    if status in _SERVER_FAILURES:
        return ApiError(status, _SERVER_FAILURES[status])
    try:
        return ApiError(status, HTTPStatus(status).phrase)
    except ValueError:
        return ApiError(status, "Unknown Error")
