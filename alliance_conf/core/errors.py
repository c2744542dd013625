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


class FieldErrors:
    """Run several field checks and report every refusal at once, each by its field.

    ``value = errors.check(check_email, text, "contact_email")`` returns the check's result, or
    None when it raised :class:`ValidationFailed` (whose fields are kept); ``errors.raise_any()``
    then raises one ValidationFailed naming every field, its message the checks' messages.
    """

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.fields: dict[str, str] = {}

    def check(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except ValidationFailed as exc:
            self.add(exc.message, exc.fields)
            return None

    def add(self, message: str, fields: dict[str, str] | None = None) -> None:
        if message not in self.messages:
            self.messages.append(message)
        for name, text in (fields or {}).items():
            self.fields.setdefault(name, text)

    def __bool__(self) -> bool:
        return bool(self.messages or self.fields)

    def raise_any(self) -> None:
        if self:
            raise ValidationFailed(" ".join(self.messages), dict(self.fields))
