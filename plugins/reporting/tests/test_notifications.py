"""A report returned, reviewed or overdue tells the people who act for its delegation (the
core's notifications answer the plugin's hooks), each once, with the link to the report."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from alliance_conf.extensions import db
from alliance_conf.mail.models import MailMessage
from alliance_conf.notifications.models import Notification, NotificationKind
from plugins.reporting import reports, rounds
from plugins.reporting.tests.support import report_of


def _notices(user, kind):
    return db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def _submit(world, round_):
    report = report_of(round_, world.be)
    reports.save_report(
        report, {"victims": reports.EntryData(status="achieved")}, actor=world.be_head
    )
    reports.submit_report(report, actor=world.be_head)
    db.session.commit()
    return report


def test_returned_then_reviewed_tells_the_delegation_with_the_comment(world, round_):
    world.be_head.language = "fr"
    report = _submit(world, round_)
    reports.return_report(report, comment="Add the figures for 2030.", actor=world.organiser)
    db.session.commit()
    (returned,) = _notices(world.be_head, NotificationKind.report_returned)
    assert returned.link == f"/reporting/reports/{report.id}"
    message = db.session.get(MailMessage, returned.mail_message_id)
    assert message.to_address == world.be_head.email
    assert "Add the figures for 2030." in message.body_text
    assert f"http://localhost/reporting/reports/{report.id}" in message.body_text
    assert message.subject.startswith("Le rapport (d\u00e9l\u00e9gation\u00a0: Belgique)")

    reports.submit_report(report, actor=world.be_head)
    reports.review_report(report, actor=world.organiser, comment="")
    db.session.commit()
    (reviewed,) = _notices(world.be_head, NotificationKind.report_reviewed)
    assert reviewed.detail == ""
    # The Belgian adviser does not act for the delegation; the US is not concerned.
    for bystander in (world.be_adviser, world.us_head, world.outsider, world.organiser):
        assert (
            db.session.scalars(
                sa.select(Notification).where(Notification.user_id == bystander.id)
            ).all()
            == []
        )


def test_overdue_is_noted_once_per_report_and_person_beside_the_reminder(world, round_):
    for day in (2, 3):  # two daily overdue reminders
        rounds.send_reminders(
            [round_], actor=None, now=datetime(2031, 7, day, 9, 0, tzinfo=UTC), send=lambda *a: None
        )
        db.session.commit()
    (overdue,) = _notices(world.be_head, NotificationKind.report_overdue)
    assert overdue.mail_message_id is None  # the reminder itself is the e-mail
    assert overdue.link == f"/reporting/reports/{report_of(round_, world.be).id}"
    assert "30" in overdue.detail and "2031" in overdue.detail  # in the reader's date format
    assert len(_notices(world.us_head, NotificationKind.report_overdue)) == 1
    assert _notices(world.be_adviser, NotificationKind.report_overdue) == []
