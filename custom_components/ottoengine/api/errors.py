"""Errors the REST API answers with: a status code and a JSON body, never a traceback."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any


class ApiError(Exception):
    """Raised by a view handler; answered as ``{"error": title, "message": message, ...}``."""

    def __init__(
        self,
        status: HTTPStatus,
        message: str,
        *,
        title: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title or status.phrase
        self.field = field
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.title, "message": self.message}
        if self.field is not None:
            body["field"] = self.field
        body.update(self.extra)
        return body


def bad_request(field: str, message: str) -> ApiError:
    """400 naming the offending field of the request."""
    return ApiError(HTTPStatus.BAD_REQUEST, f"{field}: {message}", field=field)


def not_found(kind: str, item_id: object) -> ApiError:
    return ApiError(HTTPStatus.NOT_FOUND, f"{kind} {item_id} not found")


def conflict(message: str) -> ApiError:
    return ApiError(HTTPStatus.CONFLICT, message)
