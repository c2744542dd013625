from __future__ import annotations

import pytest

from alliance_conf.declarations import operations as declaration_ops
from alliance_conf.declarations import transitions
from alliance_conf.extensions import db
from alliance_conf.plugins import get_registry
from plugins.documents.samples import StaticSignatures
from plugins.documents.tests.support import CONTENT


@pytest.fixture
def organiser(make_user):
    return make_user("organiser")


@pytest.fixture
def conference(make_conference):
    return make_conference(slug="safer-2030", title="Ministerial conference on safer children")


@pytest.fixture
def make_declaration(app, conference, organiser):
    """A declaration with ``contents`` as its revisions (1, 2, ...); ``freeze`` opens it."""

    def factory(*contents, freeze=False, of=None):
        contents = contents or (CONTENT,)
        first, *rest = contents
        declaration = declaration_ops.create_declaration(
            of or conference, title=first["title"], content=first, actor=organiser
        )
        for content in rest:
            declaration_ops.save_revision(declaration, content=content, actor=organiser)
        if freeze:
            transitions.transition(declaration, "consultation", actor=organiser)
            transitions.transition(declaration, "open", actor=organiser)
        db.session.commit()
        return declaration

    return factory


@pytest.fixture
def signatures(app):
    """An in-test signature provider registered through the app's plugin manager."""
    provider = StaticSignatures({})
    manager = get_registry(app).manager
    manager.register(provider, name="test-signatures")
    yield provider
    manager.unregister(name="test-signatures")
