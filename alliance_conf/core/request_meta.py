"""What a request says about its sender, read by the web and API layers and passed to operations.

Operations never read ``flask.request``: a view or an API endpoint builds a ``RequestMeta`` and
hands it in, so the CLI, jobs and tests call the same operation with no request at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request

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
