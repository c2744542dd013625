"""Demo data. Day one: nothing is signed, but the Belgian head of delegation holds full powers.

The week (``alliance_demo_week``): on Wednesday 5 December 2012, from 10:30 in Brussels, eight
delegations sign the text opened at 10:00 through ``sign_declaration`` (password
re-authentication, hash chain, receipts): Germany with a reservation on commitment 3, Japan
endorsing three of the four commitments, the Netherlands withdrawing its first signature and
signing again with an interpretative statement. Belgium has not signed: its head, the demo
account, may sign. Each delegation's signing is played once: a delegation with any signature
record, or whose signatory's password this run does not know (an account from an earlier
run), is left as it is; nothing is signed when the signing policy asks for more than a password
(an e-mailed code, a passkey).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from alliance_conf.core.request_meta import RequestMeta
from alliance_conf.declarations.models import DeclarationState
from alliance_conf.demo.operations import grant_demo_powers
from alliance_conf.demo.week import Week, brussels
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from plugins.signatures import chain, policy
from plugins.signatures.models import Signature
from plugins.signatures.operations import sign_declaration, withdraw_signature

META = RequestMeta(user_agent="flask demo load (the seed conference's week)")


def designate_demo_signatory(conference, accounts) -> None:
    grant_demo_powers(conference, accounts.get("head"), accounts.get("organiser"))


@dataclass(frozen=True)
class Signing:
    signer: str
    at: tuple[int, int]
    endorsed: tuple[str, ...] | None = None  # None: the whole text
    statements: tuple[dict, ...] = ()
    withdrawn: tuple[tuple[int, int], str] | None = None  # when, why; then signed again
    again: tuple[tuple[int, int], tuple[dict, ...]] | None = None


SIGNINGS = (
    Signing("head.us", (10, 30)),
    Signing("minister.fr", (10, 36)),
    Signing(
        "head.de",
        (10, 45),
        statements=(
            {
                "kind": "reservation",
                "commitment_key": "awareness",
                "text": "Education is a competence of the Länder: the Federal Government will "
                "pursue commitment 3 within the limits of its constitutional competences.",
            },
        ),
    ),
    Signing(
        "minister.nl",
        (10, 52),
        withdrawn=(
            (11, 20),
            "Signed before the instructions from The Hague arrived; signing again with the "
            "interpretative statement they contain.",
        ),
        again=(
            (11, 45),
            (
                {
                    "kind": "statement",
                    "commitment_key": "availability",
                    "text": "The Netherlands will pursue commitment 4 through the notice-and-"
                    "take-down code of conduct agreed with Dutch internet service providers.",
                },
            ),
        ),
    ),
    Signing("head.ro", (11, 5)),
    Signing("minister.se", (11, 12)),
    Signing("head.jp", (11, 30), endorsed=("victims", "offenders", "availability")),
    Signing("head.au", (12, 10)),
)


def play_week(week: Week) -> list[str]:
    declaration = week.declaration
    if declaration.state != DeclarationState.open:
        return summary(week)
    rules = policy.policy_for(declaration)
    if rules.email_code or not rules.allows_password:
        # The story's signatories have passwords only: no e-mailed code, no passkey.
        return [
            _(
                "Signing not played: this declaration's signing policy asks for more than a password."
            ),
            *summary(week),
        ]
    for signing in SIGNINGS:
        _play(week, signing)
    return summary(week)


def _play(week: Week, signing: Signing) -> None:
    declaration = week.declaration
    user = week.accounts.get(signing.signer)
    password = week.passwords.get(getattr(user, "email", None))
    registration = week.registration(signing.signer)
    if password is None or registration is None or not registration.is_signatory:
        return
    recorded = db.session.scalar(
        sa.select(Signature.id).where(
            Signature.declaration_id == declaration.id,
            Signature.delegation_id == registration.delegation_id,
        )
    )
    if recorded is not None:
        return

    def sign(at, statements):
        week.at(brussels(5, *at))
        signature = sign_declaration(
            declaration,
            actor=user,
            password=password,
            typed_name=user.full_name,
            endorsed_keys=signing.endorsed,
            statements=list(statements),
            meta=META,
        )
        week.commit()
        return signature

    signature = sign(signing.at, signing.statements)
    if signing.withdrawn is not None:
        at, reason = signing.withdrawn
        week.at(brussels(5, *at))
        withdraw_signature(signature, actor=user, reason=reason, password=password, meta=META)
        week.commit()
        at, statements = signing.again
        sign(at, statements)


def summary(week: Week) -> list[str]:
    declaration = week.declaration
    signatures = db.session.scalars(
        sa.select(Signature).where(Signature.declaration_id == declaration.id)
    ).all()
    active = [s for s in signatures if s.withdrawn_at is None]
    reservations = sum(
        1 for s in active if any(item.get("kind") == "reservation" for item in s.statements)
    )
    report = chain.verify_chain(declaration)
    lines = [
        _(
            "Signatures: %(active)s active, %(withdrawn)s withdrawn, %(reservations)s with a "
            "reservation.",
            active=len(active),
            withdrawn=len(signatures) - len(active),
            reservations=reservations,
        )
    ]
    if report.ok:
        lines.append(
            _("Signature chain: intact, %(events)s events verified.", events=report.events)
        )
    else:
        lines.append(_("Signature chain: BROKEN (%(problem)s).", problem=report.problems[0]))
    return lines
