"""schemathesis fuzzes every operation of `/api/v1/openapi.json` on the seed conference after
its week (amendments, signatures, a reporting round with reports), in process through the WSGI app, as an organiser and as a delegate (the head of the Belgian
delegation), with every check that applies to an API like ours:

- no 5xx; every status code, content type and JSON body as documented;
- negative data (outside the schema) is refused with a 4xx;
- positive data (inside the schema) is never refused by the schema layer: a 400/422 from the API
  framework's own validation ("The request body has invalid fields.") means the document promises
  more than the server accepts; a refusal by a domain rule (an unknown country, an end before the
  start, a state that does not allow it) is a 4xx the schema cannot express and is accepted;
- a missing required header is refused; no protected operation works without its token;
- then the stateful phase follows the document's links (create, then read, update, delete what
  was created) and checks the same, plus use-after-free and resource availability.

Budget: ``ALLIANCE_FUZZ_EXAMPLES`` examples per operation and mode (default 25 on PostgreSQL, 10
on SQLite) and ``ALLIANCE_FUZZ_STATEFUL`` state-machine runs (default 15); the release run uses
``ALLIANCE_FUZZ_EXAMPLES=200 ALLIANCE_FUZZ_STATEFUL=100``. The figures are printed.

Protected operations get a fresh bearer token per operation (an operation that revokes tokens
cannot starve the others); path parameters named after seed objects get real ids half the time,
so operations are exercised past their 404.
"""

import os
import re
import time

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure
from schemathesis.generation.stateful import run_state_machine_as_test
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from alliance_conf.declarations.models import Amendment, Declaration
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.registrations.models import Registration
from alliance_conf.testing.fixtures import TEST_PASSWORD

FRAMEWORK_REFUSALS = (
    "The request body has invalid fields.",
    "The query string has invalid fields.",
)
# A domain rule may refuse data the schema allows (400/422); the check below tells the two apart.
# A conditional GET (If-None-Match, even "*") may answer 304 Not Modified: that is acceptance;
# status_code_conformance still fails a 304 from an operation that does not document one.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"allow-x00": False},  # NUL is refused everywhere (see the document)
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": [
                    "2xx",
                    "304",
                    "400",
                    "401",
                    "403",
                    "404",
                    "409",
                    "422",
                    "429",
                ]
            }
        },
    }
)


def schema_layer_accepts_positive_data(ctx, response, case):
    """Data the document allows is never refused by the framework's own validation."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    try:
        message = response.json()["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return None
    if message in FRAMEWORK_REFUSALS:
        fields = response.json()["error"].get("fields")
        raise Failure(
            operation=case.operation.label,
            title="The schema allows what the server refuses",
            message=f"{message} {fields}",
        )
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    schema_layer_accepts_positive_data,
    missing_required_header,
    ignored_auth,
]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]


def _budget(is_postgresql: bool) -> tuple[int, int]:
    examples = int(os.environ.get("ALLIANCE_FUZZ_EXAMPLES") or (25 if is_postgresql else 10))
    stateful = int(os.environ.get("ALLIANCE_FUZZ_STATEFUL") or 15)
    return examples, stateful


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


def _fuzz(strategies: list, headers: dict, ran: dict, examples: int):
    """One operation's hypothesis test (built per operation so each binds its own values)."""

    @settings(
        max_examples=examples,
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


def _user(seed, role):
    user = seed.accounts["organiser" if role == "organiser" else "head"]
    user.set_password(TEST_PASSWORD)
    db.session.commit()
    return user


@pytest.mark.parametrize("role", ["organiser", "delegate"])
def test_every_api_operation_answers_within_its_schema(
    app, seed_week, api_headers, is_postgresql, role
):
    seed = seed_week  # the seed after its week: signatures, a reporting round, reports
    user = _user(seed, role)
    examples, stateful_runs = _budget(is_postgresql)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    known = _seed_values(seed)
    ran = {"operations": 0, "cases": 0, "steps": 0}
    failures = []
    started = time.perf_counter()

    for result in schema.get_all_operations():
        operation = result.ok()
        names = set(re.findall(r"{(\w+)}", operation.path))
        fixed = {name: known[name] for name in names if name in known}
        strategies = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
        if fixed:
            strategies.append(operation.as_strategy(path_parameters=fixed))
        headers = api_headers(user)
        ran["operations"] += 1
        try:
            _fuzz(strategies, headers, ran, examples)()
        except (Exception, BaseExceptionGroup) as exc:  # report every operation's failure
            failures.append(f"{operation.label}: {exc}")

    fuzzed = time.perf_counter() - started
    headers = api_headers(user)

    class Machine(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            ran["steps"] += 1
            try:
                case.validate_response(response, checks=STATEFUL_CHECKS, headers=headers)
            finally:
                db.session.rollback()

    try:
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=stateful_runs,
                stateful_step_count=10,
                phases=[Phase.explicit, Phase.generate],  # a failure is reported as found
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    except (Exception, BaseExceptionGroup) as exc:
        failures.append(f"stateful phase: {exc}")

    seconds = time.perf_counter() - started
    database = "postgresql" if is_postgresql else "sqlite"
    print(
        f"\nschemathesis ({database}, {role}): {ran['operations']} operations, "
        f"{ran['cases']} cases ({examples} examples per operation and mode), "
        f"{ran['steps']} stateful steps, {len(failures)} failures, {seconds:.0f} s ({fuzzed:.0f} s per operation, then stateful)"
    )
    assert ran["operations"] >= 30
    assert not failures, "\n\n".join(failures)
