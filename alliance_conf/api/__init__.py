"""The JSON API framework: routes declared with pydantic models, documented from the same code."""

from alliance_conf.api.framework import ApiBlueprint, Page, api_user, paginate

__all__ = ["ApiBlueprint", "Page", "api_user", "paginate"]
