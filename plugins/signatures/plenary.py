"""The plenary screen: the status board as a hall reads it during the signing ceremony.

One function builds what the screen shows (``plenary_board``: the same counts as the status
board, from ``board.status_board``), another a cheap version of it (``plenary_version``) that
changes whenever anything shown changes. The version is the ``ETag`` of the page's JSON: a
screen polling every few seconds costs the access check and two small indexed queries, and gets
``304 Not Modified`` with no body until someone signs. Nothing is kept in the web process, so
any host behind the load balancer gives the same answer.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from flask import current_app

from alliance_conf.declarations.models import Declaration, DeclarationState
from alliance_conf.delegations.countries import sort_key
from alliance_conf.delegations.models import Delegation
from alliance_conf.extensions import db
from alliance_conf.formatting import format_datetime, format_time, format_zone
from alliance_conf.i18n import _, current_language, ngettext
from plugins.signatures.board import status_board
from plugins.signatures.models import Signature, SignatureEvent, SignatureKind

RECENT = 5  # the latest signatures listed under the grid
POLL_SECONDS = 5  # how often the page asks for news
REFRESH_SECONDS = 30  # without JavaScript, the page reloads itself this often
VERSION_FORMAT = 1  # bump when the payload's shape changes, so old ETags stop matching


def plenary_version(declaration: Declaration) -> str:
    """A fingerprint of everything the plenary screen shows, without building it.

    Every signature and withdrawal adds a link to the declaration's chain, so the chain's head
    stands for the signatures; the delegations' rows, the declaration's state, the conference's
    zone and the reader's language cover the rest."""
    head = db.session.execute(
        sa.select(SignatureEvent.sequence, SignatureEvent.event_hash)
        .where(SignatureEvent.declaration_id == declaration.id)
        .order_by(SignatureEvent.sequence.desc())
        .limit(1)
    ).first()
    delegations = db.session.execute(
        sa.select(
            Delegation.id,
            Delegation.name,
            Delegation.country_code,
            Delegation.group,
            Delegation.kind,
            Delegation.active,
        )
        .where(Delegation.conference_id == declaration.conference_id)
        .order_by(Delegation.id)
    ).all()
    conference = declaration.conference
    parts = [
        VERSION_FORMAT,
        current_language(),
        declaration.id,
        declaration.title,
        declaration.current_revision_number,
        str(declaration.state),
        conference.title,
        conference.timezone,
        list(head) if head is not None else None,
        [list(row) for row in delegations],
        current_app.config["SIGNATURES_SIGNING_GROUPS"],
        current_app.config["SIGNATURES_SUPPORT_GROUPS"],
    ]
    encoded = json.dumps(parts, default=str, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def _status(row) -> str:
    if row.active is not None:
        return "supported" if row.kind == SignatureKind.support else "signed"
    return "withdrawn" if row.withdrawn else "pending"


def _announcement(signature: Signature, time: str) -> str:
    name = signature.delegation.display_name
    if signature.kind == SignatureKind.support:
        return _("%(delegation)s supported the text at %(time)s.", delegation=name, time=time)
    return _("%(delegation)s signed at %(time)s.", delegation=name, time=time)


def plenary_board(declaration: Declaration) -> dict:
    """What the plenary screen shows, in the reader's language and the conference's zone."""
    conference = declaration.conference
    board = status_board(declaration)
    zone = format_zone(conference)
    delegations = []
    for row in sorted(board["rows"], key=lambda r: sort_key(r.delegation.display_name)):
        active = row.active
        delegations.append(
            {
                "id": row.delegation.id,
                "name": row.delegation.display_name,
                "kind": row.kind.value,
                "status": _status(row),
                "status_label": row.status,
                "signed_at": active.signed_at if active is not None else None,
                "time": format_time(active.signed_at, conference) if active is not None else None,
            }
        )
    latest = sorted(
        (row.active for row in board["rows"] if row.active is not None),
        key=lambda s: (s.signed_at, s.id),
        reverse=True,
    )[:RECENT]
    recent = []
    for signature in latest:
        time = format_time(signature.signed_at, conference)
        recent.append(
            {
                "signature_id": signature.id,
                "delegation_id": signature.delegation_id,
                "delegation": signature.delegation.display_name,
                "kind": signature.kind.value,
                "signatory_name": signature.signatory_name,
                "signatory_title": signature.signatory_title,
                "signed_at": signature.signed_at,
                "when": format_datetime(signature.signed_at, conference),
                "announcement": _announcement(signature, f"{time} {zone}"),
            }
        )
    headline = ngettext(
        "%(signed)s of %(num)d delegation has signed",
        "%(signed)s of %(num)d delegations have signed",
        board["eligible"],
        signed=board["signed"],
    )
    supporters = None
    if board["supporters"]:
        supporters = ngettext(
            "%(supported)s of %(num)d organisation supports the text",
            "%(supported)s of %(num)d organisations support the text",
            board["supporters"],
            supported=board["supported"],
        )
    return {
        "declaration_id": declaration.id,
        "title": declaration.title_in(current_language()),
        "state": declaration.state.value,
        "state_label": declaration.state.title,
        "open": declaration.state == DeclarationState.open,
        "signed": board["signed"],
        "eligible": board["eligible"],
        "supported": board["supported"],
        "supporters": board["supporters"],
        "headline": headline,
        "supporters_line": supporters,
        "time_zone": zone,
        "delegations": delegations,
        "recent": recent,
        "version": plenary_version(declaration),
        "poll_seconds": POLL_SECONDS,
    }
