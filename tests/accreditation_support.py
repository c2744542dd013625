"""A small conference with every role the accreditation tests need."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage

LINK = re.compile(r"https?://[^\s\"<>]+/register/([A-Za-z0-9_.\-]+)")


@dataclass
class World:
    conference: object
    a: object  # Belgium, quota 3
    b: object  # France
    anonymous: None
    delegate_a: object
    delegate_b: object
    head_a: object
    staff: object
    organiser: object
    admin: object
    reg_delegate_a: object
    reg_delegate_b: object
    reg_head_a: object

    def user(self, role: str):
        return getattr(self, role)


ROLES = ["anonymous", "delegate_a", "delegate_b", "head_a", "staff", "organiser", "admin"]


def build_world(make_user, make_conference, make_delegation, make_registration) -> World:
    conference = make_conference(slug="ministerial-2030")
    a = make_delegation(conference, country_code="BE", delegate_quota=3, contact_email="be@x.org")
    b = make_delegation(conference, country_code="FR")
    delegate_a = make_user(full_name="Anna Adviser")
    delegate_b = make_user(full_name="Bruno Bernard")
    head_a = make_user(full_name="Hélène Head")
    return World(
        conference=conference,
        a=a,
        b=b,
        anonymous=None,
        delegate_a=delegate_a,
        delegate_b=delegate_b,
        head_a=head_a,
        staff=make_user(role="staff"),
        organiser=make_user(role="organiser"),
        admin=make_user(role="admin"),
        reg_delegate_a=make_registration(
            a, delegate_a, accessibility_needs="Wheelchair access", dietary_needs="Vegan"
        ),
        reg_delegate_b=make_registration(b, delegate_b, dietary_needs="Halal"),
        reg_head_a=make_registration(a, head_a, function="head_of_delegation"),
    )


def token_from_outbox(email: str) -> str:
    """The registration token of the newest invitation e-mail to ``email``."""
    message = db.session.scalars(
        sa.select(MailMessage)
        .where(MailMessage.to_address == email, MailMessage.subject.like("Invitation%"))
        .order_by(MailMessage.id.desc())
    ).first()
    assert message is not None, f"no invitation mail to {email}"
    match = LINK.search(message.body_text)
    assert match, message.body_text
    return match.group(1)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
