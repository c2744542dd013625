from __future__ import annotations

import json

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields import SelectChoice

from alliance_conf.api.framework import error_response
from alliance_conf.auth import passkeys
from alliance_conf.auth.access import (
    is_organiser,
    is_team,
    login_required,
    membership,
    public,
    roles_required,
)
from alliance_conf.auth.models import UserRole
from alliance_conf.core.errors import AllianceError
from alliance_conf.core.request_meta import RequestMeta
from alliance_conf.declarations import content
from alliance_conf.declarations import operations as declarations
from alliance_conf.declarations.models import Declaration, DeclarationState
from alliance_conf.extensions import db
from alliance_conf.forms import form_action
from alliance_conf.i18n import _, ngettext
from alliance_conf.security import limit
from plugins.signatures import (
    access,
    charts,
    checkpoints,
    crypto,
    exports,
    languages,
    operations,
    passkey_signing,
    plenary,
    policy,
    reauth,
    receipts,
)
from plugins.signatures.board import send_reminders, status_board
from plugins.signatures.forms import (
    ActionForm,
    PolicyForm,
    ReceiptCheckForm,
    SignForm,
    VerifyForm,
    WithdrawForm,
)
from plugins.signatures.models import Signature, SignatureKind

WHOLE_TEXT = "__whole__"


def _signature(signature_id: int) -> Signature:
    return operations.get_signature(signature_id, current_user)


# --- slots -----------------------------------------------------------------------------------


def conference_slot_context(conference) -> dict:
    found = db.session.scalars(
        sa.select(Declaration)
        .where(
            Declaration.conference_id == conference.id,
            Declaration.state.in_([DeclarationState.open, DeclarationState.closed]),
        )
        .order_by(Declaration.id)
    ).all()
    items = []
    for declaration in found:
        board = status_board(declaration)
        items.append(
            {"declaration": declaration, "signed": board["signed"], "eligible": board["eligible"]}
        )
    return {"signature_counts": items}


def declaration_slot_context(declaration) -> dict:
    if declaration.state not in (DeclarationState.open, DeclarationState.closed):
        return {"signatures_shown": False}
    board = status_board(declaration)
    user = current_user if current_user and current_user.is_authenticated else None
    own = None
    registration = membership(user, declaration.conference_id) if user else None
    if registration is not None:
        own = operations.active_signature(declaration, registration.delegation_id)
    return {
        "signatures_shown": True,
        "signed_count": board["signed"],
        "eligible_count": board["eligible"],
        "supported_count": board["supported"],
        "may_sign": user is not None and access.can_sign(user, declaration) and own is None,
        "own_signature": own,
    }


# --- signing ---------------------------------------------------------------------------------


def _statement_choices(commitments) -> list[SelectChoice]:
    choices = [SelectChoice(value=WHOLE_TEXT, label=_("The whole text"))]
    for n, item in enumerate(commitments, start=1):
        choices.append(
            SelectChoice(
                value=item["key"],
                label=_("Commitment %(n)s: %(title)s", n=n, title=item["title"]),
            )
        )
    return choices


@login_required
def sign(declaration_id: int):
    declaration = declarations.load_declaration(declaration_id, current_user)
    access.require_open(declaration)
    registration = access.signatory_registration(current_user, declaration)
    frozen = declaration.frozen_revision
    text_language = languages.reading_language(frozen, request.args.get("text"))
    commitments = languages.text_in(frozen, text_language).get("commitments", [])
    form = SignForm()
    form.endorsed.choices = [SelectChoice(value=c["key"], label=c["title"]) for c in commitments]
    form.statement_target.choices = _statement_choices(commitments)
    if request.method == "GET":
        form.endorsed.data = [c["key"] for c in commitments]
    existing = operations.active_signature(declaration, registration.delegation_id)
    signing_policy = policy.policy_for(declaration)
    require_code = signing_policy.email_code
    status = 200
    if form.validate_on_submit():
        if not form.confirm.data:
            form.confirm.errors = [_("Tick the box to confirm that you sign.")]
            status = 422
        elif not form.passkey_credential.data and not form.password.data:
            form.password.errors = [_("Enter your password, or sign with your passkey.")]
            status = 422
        else:
            with form_action(form) as done:
                passkey = (
                    passkeys.parse_credential(form.passkey_credential.data)
                    if form.passkey_credential.data
                    else None
                )
                signature = operations.sign_declaration(
                    declaration,
                    actor=current_user,
                    password=form.password.data,
                    code=form.code.data,
                    typed_name=form.typed_name.data,
                    endorsed_keys=form.endorsed.data or [],
                    statements=_form_statements(form),
                    passkey=passkey,
                    relying_party=passkeys.relying_party(request.host_url),
                    meta=RequestMeta.current(),
                )
            if not done:
                status = done.error.status
            else:
                flash(
                    _(
                        "Signed on behalf of %(delegation)s. Verification code: %(code)s.",
                        delegation=registration.delegation.name,
                        code=receipts.format_code(signature.verification_code),
                    ),
                    "success",
                )
                return redirect(url_for("signatures.receipt", signature_id=signature.id))
    elif request.method == "POST":
        status = 422
    form.password.data = ""
    return render_template(
        "signatures/sign.html",
        declaration=declaration,
        conference=declaration.conference,
        frozen=frozen,
        content=content.numbered(languages.text_in(frozen, text_language)),
        text_language=text_language,
        text_languages=languages.text_languages(frozen),
        language_hashes=languages.declaration_hashes(declaration),
        language_versions_sentence=languages.you_sign_sentence(
            list(languages.declaration_hashes(declaration))
        ),
        registration=registration,
        kind=access.signing_kind(registration.delegation),
        existing=existing,
        form=form,
        code_form=ActionForm(),
        require_code=require_code,
        locked_until=reauth.locked_until(current_user),
        policy=signing_policy,
        has_passkey=bool(passkeys.passkeys_of(current_user)),
    ), status


def _form_statements(form) -> list[dict]:
    if not (form.statement_text.data and form.statement_text.data.strip()):
        return []
    target = form.statement_target.data
    return [
        {
            "kind": form.statement_kind.data or "statement",
            "text": form.statement_text.data,
            "commitment_key": None if target in (None, "", WHOLE_TEXT) else target,
        }
    ]


@login_required
def passkey_options(declaration_id: int):
    """First step of signing with a passkey (JSON): the choices of the signing form become the
    payload whose hash the passkey signs."""
    declaration = declarations.load_declaration(declaration_id, current_user)
    form = SignForm()
    form.endorsed.choices = []
    form.statement_target.choices = []
    if not form.validate_on_submit():
        return (
            error_response(
                400,
                "bad_request",
                _("The form expired or was sent from elsewhere. Reload the page."),
            )
            if "csrf_token" in form.errors
            else error_response(
                422,
                "validation_failed",
                _(
                    "Fill in the form first: %(errors)s",
                    errors="; ".join(
                        f"{getattr(form, name).label.text}: {' '.join(errors)}"
                        for name, errors in form.errors.items()
                    ),
                ),
            )
        )
    with form_action() as done:
        result = passkey_signing.signing_options(
            declaration,
            actor=current_user,
            rp=passkeys.relying_party(request.host_url),
            endorsed_keys=form.endorsed.data or [],
            statements=_form_statements(form),
        )
    if not done:
        exc = done.error
        return error_response(exc.status, exc.code, exc.message, exc.fields)
    return jsonify(result)


@login_required
def send_code(declaration_id: int):
    declaration = declarations.load_declaration(declaration_id, current_user)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, _("The form expired or was sent from elsewhere. Please try again."))
    with form_action() as done:
        reauth.request_signing_code(declaration, actor=current_user)
    if done:
        flash(_("A one-time code was sent to %(email)s.", email=current_user.email), "success")
    else:
        flash(done.error.message, "error")
    withdrawing = request.form.get("signature_id", "")
    if withdrawing.isdigit():  # asked from the withdrawal page: back there
        return redirect(url_for("signatures.withdraw", signature_id=int(withdrawing)))
    return redirect(url_for("signatures.sign", declaration_id=declaration.id))


@login_required
def receipt(signature_id: int):
    signature = _signature(signature_id)
    document = receipts.signed_receipt(signature)
    language_hashes = receipts.signed_language_hashes(signature)
    may_withdraw = (
        signature.withdrawn_at is None
        and signature.declaration.state == DeclarationState.open
        and access.can_withdraw(signature, current_user)
    )
    return render_template(
        "signatures/receipt.html",
        signature=signature,
        declaration=signature.declaration,
        conference=signature.declaration.conference,
        document=document,
        receipt_json=json.dumps(document, indent=2, ensure_ascii=False),
        code=receipts.format_code(signature.verification_code),
        language_hashes=language_hashes,
        language_versions_sentence=languages.signed_sentence(list(language_hashes)),
        may_withdraw=may_withdraw,
        show_ip=is_team(current_user),
    )


@login_required
def receipt_json(signature_id: int):
    signature = _signature(signature_id)
    document = receipts.signed_receipt(signature)
    response = Response(
        json.dumps(document, indent=2, ensure_ascii=False), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="receipt-{signature.verification_code}.json"'
    )
    return response


@login_required
def withdraw(signature_id: int):
    signature = _signature(signature_id)
    access.require_can_withdraw(signature, current_user)
    form = WithdrawForm()
    status = 200
    if form.validate_on_submit():
        with form_action(form) as done:
            operations.withdraw_signature(
                signature,
                actor=current_user,
                reason=form.reason.data,
                password=form.password.data,
                code=form.code.data,
                meta=RequestMeta.current(),
            )
        if not done:
            status = done.error.status
        else:
            flash(_("The signature is withdrawn. It stays listed as withdrawn."), "success")
            return redirect(url_for("signatures.board", declaration_id=signature.declaration_id))
    elif request.method == "POST":
        status = 422
    return render_template(
        "signatures/withdraw.html",
        signature=signature,
        declaration=signature.declaration,
        conference=signature.declaration.conference,
        form=form,
        require_code=current_app.config["SIGNATURES_REQUIRE_EMAIL_CODE"],
        code_form=ActionForm(),
    ), status


# --- status board ----------------------------------------------------------------------------


@login_required
def board(declaration_id: int):
    declaration = declarations.load_declaration(declaration_id, current_user)
    board = status_board(declaration)
    return render_template(
        "signatures/board.html",
        declaration=declaration,
        conference=declaration.conference,
        board=board,
        progress_bars=charts.progress_bars(board),
        signatory_map=charts.signatory_map(board),
        checkpoint=next(iter(checkpoints.published(declaration.id, 1)), None),
        policy_form=_policy_form(declaration),
        is_team=is_team(current_user),
        is_organiser=is_organiser(current_user),
        reminder_form=ActionForm(),
        format_code=receipts.format_code,
        SignatureKind=SignatureKind,
    )


def _policy_form(declaration) -> PolicyForm:
    current = policy.policy_for(declaration)
    form = PolicyForm(formdata=None)
    form.mode.data, form.email_code.data = current.mode.value, current.email_code
    return form


@roles_required(UserRole.organiser, UserRole.staff)
def board_csv(declaration_id: int):
    declaration = declarations.load_declaration(declaration_id, current_user)
    response = Response(exports.board_csv(declaration), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="signatures-declaration-{declaration.id}.csv"'
    )
    return response


@roles_required(UserRole.organiser, UserRole.staff)
def plenary_screen(declaration_id: int):
    """The full-screen board for the signing ceremony, complete without JavaScript; its
    script polls ``plenary_json`` and updates the page in place."""
    declaration = declarations.load_declaration(declaration_id, current_user)
    return render_template(
        "signatures/plenary.html",
        declaration=declaration,
        conference=declaration.conference,
        screen=plenary.plenary_board(declaration),
        refresh_seconds=plenary.REFRESH_SECONDS,
    )


@roles_required(UserRole.organiser, UserRole.staff)
def plenary_json(declaration_id: int):
    """The page's poll: the API's answer (same JSON, ETag and 304), for the signed-in browser
    that holds a session cookie, never a bearer token."""
    from plugins.signatures.api import plenary_response

    return plenary_response(declarations.load_declaration(declaration_id, current_user))


@roles_required(UserRole.organiser)
def reminders(declaration_id: int):
    declaration = declarations.load_declaration(declaration_id, current_user)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, _("The form expired or was sent from elsewhere. Please try again."))
    with form_action() as done:
        result = send_reminders(declaration, actor=current_user)
    if done:
        flash(reminders_message(result), "success")
    else:
        flash(done.error.message, "error")
    return redirect(url_for("signatures.board", declaration_id=declaration.id))


def reminders_message(result) -> str:
    """What the organiser reads after sending reminders (plurals per language)."""
    parts = [
        ngettext(
            "Reminders sent to %(num)d delegation (%(mails)s).",
            "Reminders sent to %(num)d delegations (%(mails)s).",
            len(result.reminded),
            mails=ngettext("%(num)d e-mail", "%(num)d e-mails", result.mails),
        )
    ]
    if result.recently_reminded:
        parts.append(
            ngettext(
                "%(num)d delegation was reminded less than %(hours)s hours ago and was skipped.",
                "%(num)d delegations were reminded less than %(hours)s hours ago and were skipped.",
                len(result.recently_reminded),
                hours=current_app.config["SIGNATURES_REMINDER_HOURS"],
            )
        )
    if result.no_signatory:
        parts.append(
            ngettext(
                "%(num)d delegation has no designated signatory: %(names)s",
                "%(num)d delegations have no designated signatory: %(names)s",
                len(result.no_signatory),
                names=", ".join(result.no_signatory[:10])
                + ("…" if len(result.no_signatory) > 10 else ""),
            )
        )
    return " ".join(parts)


@roles_required(UserRole.organiser)
def set_policy(declaration_id: int):
    declaration = declarations.load_declaration(declaration_id, current_user)
    form = PolicyForm()
    if not form.validate_on_submit():
        abort(400, _("The form expired or was sent from elsewhere. Please try again."))
    with form_action() as done:
        policy.set_policy(
            declaration, actor=current_user, mode=form.mode.data, email_code=form.email_code.data
        )
    if done:
        flash(
            _("Signing policy: %(mode)s.", mode=policy.policy_for(declaration).mode.title),
            "success",
        )
    else:
        flash(done.error.message, "error")
    return redirect(url_for("signatures.board", declaration_id=declaration.id))


# --- public verification ---------------------------------------------------------------------


@public
def verify_form():
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("signatures.verify", code=form.code.data.strip()))
    return render_template("signatures/verify_form.html", form=form)


@public
@limit("RATELIMIT_PUBLIC_VERIFY", methods=("GET",), scope="public-verification")
def verify(code: str):
    try:
        signature = receipts.find_by_code(code)
    except AllianceError as exc:
        return render_template(
            "signatures/verify.html", result=None, code=code, message=exc.message
        ), exc.status
    result = receipts.public_verification(signature)
    return render_template(
        "signatures/verify.html",
        result=result,
        code=code,
        conference=signature.declaration.conference,
        language_hashes=result["language_hashes"],
        language_versions_sentence=languages.signed_sentence(list(result["language_hashes"])),
    )


@public
def check_receipt():
    form = ReceiptCheckForm()
    result = None
    status = 200
    if form.validate_on_submit():
        try:
            document = json.loads(form.receipt.data)
        except ValueError:
            form.receipt.errors = [_("This is not JSON: paste the receipt file's whole content.")]
            status = 422
        else:
            result = receipts.check_receipt(document)
            status = 200 if result.valid else 422
    elif request.method == "POST":
        status = 422
    return render_template("signatures/check_receipt.html", form=form, result=result), status


@public
def public_key_pem():
    return Response(crypto.public_key_pem(), mimetype="application/x-pem-file")
