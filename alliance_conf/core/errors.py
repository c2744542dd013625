"""Domain errors raised by operations; the web, API and CLI layers each present them."""


class AllianceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(AllianceError):
    status = 422
    code = "validation_failed"


class NotFound(AllianceError):
    status = 404
    code = "not_found"


class Conflict(AllianceError):
    status = 409
    code = "conflict"


class InvalidState(AllianceError):
    status = 409
    code = "invalid_state"


class PermissionDenied(AllianceError):
    status = 403
    code = "forbidden"


class SignInRequired(AllianceError):
    """Not shown to anonymous visitors: the web answers with the sign-in page, the API with 401."""

    status = 401
    code = "unauthorised"
