"""A delegation's report in a round: saving the draft, submitting it, and the organisers'
review or return. Callers commit."""

from __future__ import annotations

from dataclasses import dataclass

from alliance_conf.audit.operations import log_event
from alliance_conf.auth.access import require_organiser
from alliance_conf.core.changes import has_pending_changes
from alliance_conf.core.db import utcnow
from alliance_conf.core.errors import (
    InvalidState,
    ValidationFailed,
)
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.plugins import hook
from plugins.reporting.access import require_act_for
from plugins.reporting.models import (
    CommitmentStatus,
    Report,
    ReportEntry,
    ReportFigure,
    ReportState,
)
from plugins.reporting.operations import (
    MAX_LINKS,
    MAX_TEXT,
    actions_of,
    clean_enum,
    clean_link,
    clean_text,
    indicators,
    parse_figure,
)

# --- reports ---------------------------------------------------------------------------------


@dataclass
class EntryData:
    status: str = CommitmentStatus.not_started.value
    narrative: str = ""
    figures: dict | None = None
    evidence_links: list | None = None
    action_progress: dict | None = None


def require_draft(report: Report) -> None:
    if report.state == ReportState.submitted:
        raise InvalidState(
            _(
                "This report is submitted and locked: it can no longer be edited. An organiser "
                "can send it back to draft."
            )
        )
    if report.state != ReportState.draft:
        raise InvalidState(_("This report is reviewed and locked: it can no longer be edited."))


def _clean_entry(report: Report, key: str, data: EntryData, action_ids: set[int], errors: dict):
    prefix = f"{key}."
    status = clean_enum(
        CommitmentStatus, data.status, field=prefix + "status", label=_("Status"), errors=errors
    )
    narrative = clean_text(
        data.narrative,
        field=prefix + "narrative",
        label=_("Narrative"),
        limit=MAX_TEXT,
        errors=errors,
    )
    known = indicators()
    figures: dict[str, int] = {}
    for indicator, raw in (data.figures or {}).items():
        field = f"{prefix}figures.{indicator}"
        if indicator not in known:
            errors[field] = _(
                "%(indicator)s is not one of the indicators: %(known)s.",
                indicator=repr(indicator),
                known=", ".join(known),
            )
            continue
        value = parse_figure(raw, field=field, label=known[indicator], errors=errors)
        if value is not None:
            figures[indicator] = value
    links: list[str] = []
    raw_links = data.evidence_links or []
    if len(raw_links) > MAX_LINKS:
        errors[prefix + "evidence_links"] = _(
            "At most %(num)d evidence links per commitment.", num=MAX_LINKS
        )
    for raw in raw_links[:MAX_LINKS]:
        url = clean_link(raw, field=prefix + "evidence_links", errors=errors)
        if url is not None and url not in links:
            links.append(url)
    progress: dict[str, str] = {}
    for action_id, text in (data.action_progress or {}).items():
        field = f"{prefix}action_progress.{action_id}"
        try:
            number = int(action_id)
        except (TypeError, ValueError):
            number = None
        if number not in action_ids:
            errors[field] = _(
                "National action %(id)s is not one of this delegation's for this commitment.",
                id=action_id,
            )
            continue
        cleaned = clean_text(text, field=field, label=_("Progress"), limit=MAX_TEXT, errors=errors)
        if cleaned:
            progress[str(number)] = cleaned
    return status, narrative, figures, links, progress


def save_report(report: Report, entries: dict[str, EntryData], *, actor) -> Report:
    """Write the entries given (others are left as they are). All or nothing."""
    require_act_for(actor, report.delegation)
    require_draft(report)
    errors: dict[str, str] = {}
    actions = actions_of(report.round.declaration, report.delegation_id)
    cleaned = {}
    for key, data in entries.items():
        if key not in report.commitment_keys:
            errors[f"{key}.status"] = _(
                "%(delegation)s did not endorse commitment %(key)s: a report covers only the "
                "commitments the delegation endorsed.",
                delegation=report.delegation.name,
                key=repr(key),
            )
            continue
        ids = {a.id for a in actions if a.commitment_key == key}
        cleaned[key] = _clean_entry(report, key, data, ids, errors)
    if errors:
        raise ValidationFailed(_("The report has invalid fields; nothing was saved."), errors)
    for key, (status, narrative, figures, links, progress) in cleaned.items():
        entry = report.entry(key)
        if entry is None:
            entry = ReportEntry(report=report, commitment_key=key)
            db.session.add(entry)
        entry.status = status
        entry.narrative = narrative
        entry.evidence_links = links
        entry.action_progress = progress
        existing = {figure.indicator: figure for figure in entry.figures}
        for indicator, figure in existing.items():
            if indicator not in figures:
                entry.figures.remove(figure)
        for indicator, value in figures.items():
            if indicator in existing:
                existing[indicator].value = value
            else:
                entry.figures.append(ReportFigure(indicator=indicator, value=value))
    if not has_pending_changes():
        return report  # the same entries again change nothing (the API answers 422)
    report.updated_at = utcnow()
    db.session.flush()
    log_event(
        "reporting.report_saved",
        report,
        actor=actor,
        conference_id=report.round.conference_id,
        data={"commitments": sorted(cleaned)},
    )
    return report


def _snapshot(report: Report) -> None:
    actions = actions_of(report.round.declaration, report.delegation_id)
    for key in report.commitment_keys:
        entry = report.entry(key)
        if entry is None:
            entry = ReportEntry(report=report, commitment_key=key)
            db.session.add(entry)
        entry.actions_snapshot = [
            {
                "id": a.id,
                "title": a.title,
                "lead_agency": a.lead_agency,
                "status": a.status.value,
                "target_date": a.target_date.isoformat() if a.target_date else None,
                "progress": (entry.action_progress or {}).get(str(a.id), ""),
            }
            for a in actions
            if a.commitment_key == key
        ]


def submit_report(report: Report, *, actor) -> Report:
    require_act_for(actor, report.delegation)
    require_draft(report)
    _snapshot(report)
    now = utcnow()
    report.state = ReportState.submitted
    report.submitted_at = now
    report.submitted_by_id = getattr(actor, "id", None)
    db.session.flush()
    log_event(
        "reporting.report_submitted",
        report,
        actor=actor,
        conference_id=report.round.conference_id,
        data={"late": report.is_late},
    )
    return report


def _state(report: Report) -> str:
    return report.state.title.lower()


def review_report(report: Report, *, actor, comment: str = "") -> Report:
    require_organiser(actor)
    if report.state != ReportState.submitted:
        raise InvalidState(
            _(
                "Only a submitted report can be reviewed; this one is %(state)s.",
                state=_state(report),
            )
        )
    errors: dict[str, str] = {}
    comment = clean_text(
        comment, field="comment", label=_("Comment"), limit=MAX_TEXT, errors=errors
    )
    if errors:
        raise ValidationFailed(_("The review has invalid fields."), errors)
    report.state = ReportState.reviewed
    report.reviewed_at = utcnow()
    report.reviewed_by_id = getattr(actor, "id", None)
    if comment:
        report.review_comment = comment
    db.session.flush()
    log_event(
        "reporting.report_reviewed", report, actor=actor, conference_id=report.round.conference_id
    )
    hook().alliance_report_reviewed(report=report, comment=comment, actor=actor)
    return report


def return_report(report: Report, *, comment: str, actor) -> Report:
    """Send a submitted report back to its delegation, saying what to change."""
    require_organiser(actor)
    if report.state != ReportState.submitted:
        raise InvalidState(
            _(
                "Only a submitted report can be sent back; this one is %(state)s.",
                state=_state(report),
            )
        )
    errors: dict[str, str] = {}
    comment = clean_text(
        comment,
        field="comment",
        label=_("Comment"),
        limit=MAX_TEXT,
        errors=errors,
        required=True,
    )
    if errors:
        raise ValidationFailed(_("Say what the delegation should change."), errors)
    report.state = ReportState.draft
    report.submitted_at = None
    report.submitted_by_id = None
    report.returned_at = utcnow()
    report.review_comment = comment
    db.session.flush()
    log_event(
        "reporting.report_returned",
        report,
        actor=actor,
        conference_id=report.round.conference_id,
        data={"comment": comment},
    )
    hook().alliance_report_returned(report=report, comment=comment, actor=actor)
    return report
