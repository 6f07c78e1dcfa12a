"""Moonraker's response envelopes: ``{"result": ...}`` and ``{"error": {...}}``."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any

from .errors import MoonrakerAuthError, MoonrakerClientError, MoonrakerError

# tornado >= 6.5 replaces reasons containing '<' or control characters with "Unknown"; the real
# text survives in the traceback's last line.
_TRACEBACK_REASON = re.compile(r"HTTPError: HTTP (\d+): (.*)", re.DOTALL)
AUTH_STATUSES = frozenset({401, 403})
JSONRPC_UNAUTHORIZED = -32602


def error_message(error: Mapping[str, Any]) -> str:
    """The real message of an HTTP error envelope's ``error`` object."""
    message = str(error.get("message", "") or "")
    traceback = error.get("traceback")
    if (not message or message == "Unknown") and isinstance(traceback, str):
        start = traceback.rfind("HTTPError: HTTP ")
        found = _TRACEBACK_REASON.match(traceback, start) if start >= 0 else None
        if found is not None:
            message = found.group(2)
    return message.strip() or "Unknown"


def unwrap_http(status: int, body: Any) -> Any:
    """The ``result`` of a Moonraker HTTP answer, or the matching exception.

    Raises ``MoonrakerAuthError`` for 401/403, ``MoonrakerError`` for other errors.
    """
    error = body.get("error") if isinstance(body, Mapping) else None
    if status in AUTH_STATUSES:
        text = error_message(error) if isinstance(error, Mapping) else "Unauthorized"
        raise MoonrakerAuthError(f"{status}: {text}")
    if isinstance(error, Mapping):
        code = error.get("code")
        raise MoonrakerError(code if isinstance(code, int) else status, error_message(error))
    if status >= 400:
        raise MoonrakerError(status, str(body) if body else "HTTP error")
    if isinstance(body, Mapping) and "result" in body:
        return body["result"]
    return body  # e.g. file uploads answer 201 without the "result" wrapper


def unwrap_jsonrpc(message: Mapping[str, Any]) -> Any:
    """The ``result`` of a JSON-RPC answer, or the matching exception."""
    error = message.get("error")
    if isinstance(error, Mapping):
        code = error.get("code")
        text = str(error.get("message", "")).strip() or "Unknown"
        if code == JSONRPC_UNAUTHORIZED or code in AUTH_STATUSES:
            raise MoonrakerAuthError(f"{code}: {text}")
        raise MoonrakerError(code if isinstance(code, int) else 500, text)
    if "result" not in message:
        raise MoonrakerClientError(f"malformed JSON-RPC answer: {message!r}")
    return message["result"]
