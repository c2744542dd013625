"""What a request says about its sender, read by the web and API layers and passed to operations.

Operations never read ``flask.request``: a view or an API endpoint builds a ``RequestMeta`` and
hands it in, so the CLI, jobs and tests call the same operation with no request at all. The one
cross-cutting reader, the audit log, takes the sender the web layer declared for the request
(``current_origin``, set before each request by ``init_request_origin``); the CLI and jobs
declare none, or their own with ``acting_from``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import Flask, has_request_context, request

MAX_USER_AGENT = 400


@dataclass(frozen=True)
class RequestMeta:
    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def current(cls) -> RequestMeta:
        """The current request's client address and user agent (empty outside a request)."""
        if not has_request_context():
            return cls()
        return cls(request.remote_addr, (request.user_agent.string or "")[:MAX_USER_AGENT])


_ORIGIN: ContextVar[RequestMeta | None] = ContextVar("alliance_request_origin", default=None)


def current_origin() -> RequestMeta:
    """The sender of the action under way, as the web layer declared it (empty outside a
    request, unless ``acting_from`` says otherwise)."""
    return _ORIGIN.get() or RequestMeta()


@contextmanager
def acting_from(meta: RequestMeta) -> Iterator[RequestMeta]:
    """Declare the sender for the block (a job or a command acting for a known address)."""
    token = _ORIGIN.set(meta)
    try:
        yield meta
    finally:
        _ORIGIN.reset(token)


def _declare_origin() -> None:
    _ORIGIN.set(RequestMeta.current())


def _forget_origin(_error=None) -> None:
    _ORIGIN.set(None)


def init_request_origin(app: Flask) -> None:
    """Each request declares its sender first thing, and forgets it when it ends."""
    app.before_request_funcs.setdefault(None, []).insert(0, _declare_origin)
    app.teardown_request(_forget_origin)
