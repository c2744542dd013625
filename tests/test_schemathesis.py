"""schemathesis fuzzes every operation of `/api/v1/openapi.json` on the seed conference, in
process through the WSGI app, with a fixed, derandomised budget: no answer is a 5xx, every status
code is documented for its operation and every JSON body matches its documented schema.

Protected operations run with an organiser's bearer token (a fresh one per operation, so an
operation that revokes tokens cannot starve the others); path parameters named after seed objects
get real ids half the time, so operations are exercised past their 404.
"""

import re

import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alliance_conf.declarations.models import Amendment, Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration

EXAMPLES_PER_OPERATION = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _first(model, *where):
    return db.session.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))


def _seed_values(seed) -> dict:
    conference = seed.conference
    declaration_id = _first(Declaration, Declaration.conference_id == conference.id)
    values = {
        "slug": conference.slug,
        "conference_slug": conference.slug,
        "declaration_id": declaration_id,
        "delegation_id": _first(Delegation, Delegation.conference_id == conference.id),
        "registration_id": _first(Registration, Registration.conference_id == conference.id),
        "amendment_id": _first(Amendment, Amendment.declaration_id == declaration_id),
        "number": 1,
    }
    try:
        from plugins.reporting.models import Report, ReportingRound

        values["round_id"] = _first(ReportingRound, ReportingRound.conference_id == conference.id)
        values["report_id"] = _first(Report, Report.round_id == values["round_id"])
    except ImportError:  # pragma: no cover - plugin not installed
        pass
    return {k: v for k, v in values.items() if v is not None}


def _fuzz(strategies: list, headers: dict, ran: dict):
    """One operation's hypothesis test (built per operation so each binds its own values)."""

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.one_of(strategies))
    def check(case):
        ran["cases"] += 1
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        finally:
            db.session.rollback()

    return check


def test_every_api_operation_answers_within_its_schema(app, seed, api_headers):
    organiser = seed.accounts["organiser"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    known = _seed_values(seed)
    ran = {"operations": 0, "cases": 0}
    failures = []

    for result in schema.get_all_operations():
        operation = result.ok()
        names = set(re.findall(r"{(\w+)}", operation.path))
        fixed = {name: known[name] for name in names if name in known}
        strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
        if fixed:
            strategies.append(operation.as_strategy(path_parameters=fixed))
        headers = api_headers(organiser)
        ran["operations"] += 1

        try:
            _fuzz(strategies, headers, ran)()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failure
            failures.append(f"{operation.label}: {exc}")
    print(f"schemathesis: {ran['operations']} operations, {ran['cases']} cases")
    assert ran["operations"] >= 30
    assert not failures, "\n\n".join(failures)
