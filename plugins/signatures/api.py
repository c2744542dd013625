"""The signatures API: the same operations as the pages, as JSON."""

from __future__ import annotations

from flask import Response, jsonify, request

from alliance_conf.api.framework import ApiBlueprint, api_user
from alliance_conf.auth import passkeys
from alliance_conf.auth.models import UserRole
from alliance_conf.core.request_meta import RequestMeta
from alliance_conf.declarations import operations as declarations
from alliance_conf.declarations.models import Declaration
from alliance_conf.extensions import db
from alliance_conf.i18n import _
from alliance_conf.security import limit
from plugins.signatures import (
    access,
    board,
    checkpoints,
    crypto,
    operations,
    passkey_signing,
    plenary,
    policy,
    reauth,
    receipts,
)
from plugins.signatures.models import Signature
from plugins.signatures.schemas import (
    CheckpointOut,
    MessageOut,
    PasskeyOptionsIn,
    PasskeyOptionsOut,
    PasskeySignIn,
    PlenaryOut,
    PolicyIn,
    PolicyOut,
    PublicKeyOut,
    ReceiptCheckIn,
    ReceiptCheckOut,
    ReminderOut,
    SignatureCreatedOut,
    SignatureOut,
    SignIn,
    VerificationOut,
    WithdrawIn,
)

api = ApiBlueprint("signatures_api", __name__)
VERIFY_MAX_AGE = 60  # seconds a shared cache may keep a public verification


def _declaration(declaration_id: int) -> Declaration:
    return declarations.load_declaration(declaration_id, api_user())


def signature_out(signature: Signature) -> dict:
    return {
        "id": signature.id,
        "declaration_id": signature.declaration_id,
        "kind": signature.kind.value,
        "delegation_id": signature.delegation_id,
        "delegation": signature.delegation.name,
        "signatory_name": signature.signatory_name,
        "signatory_title": signature.signatory_title,
        "revision_number": signature.revision_number,
        "text_hash": signature.text_hash,
        "endorsed_keys": list(signature.endorsed_keys),
        "endorses_all": signature.endorses_all,
        "statements": [
            {"kind": s["kind"], "text": s["text"], "commitment_key": s.get("commitment_key")}
            for s in signature.statements
        ],
        "signed_at": signature.signed_at,
        "auth_method": signature.auth_method.value,
        "verification_code": receipts.format_code(signature.verification_code),
        "verification_url": receipts.verification_url(signature.verification_code),
        "active": signature.withdrawn_at is None,
        "withdrawn_at": signature.withdrawn_at,
        "withdrawal_reason": signature.withdrawal_reason,
    }


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures",
    "GET",
    summary="Every signature of a declaration, withdrawn ones included",
    response=list[SignatureOut],
    tags=["signatures"],
)
def list_signatures(declaration_id: int):
    """Signed-in users who can see the declaration; withdrawn rows stay listed, like the UN
    status tables."""
    declaration = _declaration(declaration_id)
    return [signature_out(s) for s in board.all_signatures(declaration)]


def plenary_response(declaration: Declaration) -> Response:
    """The plenary screen's JSON with its version as ``ETag``; ``304`` with no body when the
    ``If-None-Match`` the client sent is still current (checked before the board is built).
    Shared by the API and the page's own poll (which has no bearer token)."""
    version = plenary.plenary_version(declaration)
    if version in request.if_none_match:
        response = Response(status=304)
    else:
        payload = PlenaryOut.model_validate(plenary.plenary_board(declaration))
        response = jsonify(payload.model_dump(mode="json"))
    response.set_etag(version)
    # A cache may keep it but must ask again each time (the ETag makes that cheap).
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@api.endpoint(
    "/declarations/<int:declaration_id>/plenary",
    "GET",
    summary="The plenary screen: who has signed, the latest signatures",
    response=PlenaryOut,
    roles=[UserRole.organiser, UserRole.staff],
    tags=["signatures"],
    operation_id="get_plenary_screen",
    conditional=True,
)
def get_plenary(declaration_id: int):
    """Organisers and staff. The same counts as the status board (delegations that sign;
    observers are not counted), names and words in the token owner's language, times in the
    conference's zone. Poll it every few seconds with ``If-None-Match``: the answer is ``304``
    with no body until something shown changes."""
    return plenary_response(_declaration(declaration_id))


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures",
    "POST",
    summary="Sign the declaration for your delegation",
    body=SignIn,
    response=SignatureCreatedOut,
    roles=[UserRole.delegate],
    tags=["signatures"],
    operation_id="sign_declaration",
    throttled=True,
)
def create_signature(declaration_id: int, body: SignIn):
    """Your delegation's designated signatory re-authenticates (password, plus the e-mailed code
    when required) and types their full name. 409 when the delegation has already signed; 429
    while signing is locked after repeated failed re-authentications."""
    declaration = _declaration(declaration_id)
    signature = operations.sign_declaration(
        declaration,
        actor=api_user(),
        password=body.password,
        code=body.code,
        typed_name=body.typed_name,
        endorsed_keys=body.endorsed_keys,
        statements=[s.model_dump() for s in body.statements],
        delegation_id=body.delegation_id,
        meta=RequestMeta.current(),
    )
    db.session.commit()
    return {**signature_out(signature), "receipt": receipts.signed_receipt(signature)}


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures/passkey-options",
    "POST",
    summary="Start signing with a passkey: the payload your passkey signs and the options for "
    "navigator.credentials.get",
    body=PasskeyOptionsIn,
    response=PasskeyOptionsOut,
    roles=[UserRole.delegate],
    status=200,
    tags=["signatures"],
    throttled=True,
)
def passkey_options(declaration_id: int, body: PasskeyOptionsIn):
    """The WebAuthn challenge is SHA-256 of the payload's canonical JSON: the endorsed
    commitments, statements and reservations, the text's hash, your delegation and a nonce.
    Submit the same choices with the assertion to ``.../signatures/passkey``."""
    declaration = _declaration(declaration_id)
    result = passkey_signing.signing_options(
        declaration,
        actor=api_user(),
        rp=passkeys.relying_party(request.host_url),
        endorsed_keys=body.endorsed_keys,
        statements=[s.model_dump() for s in body.statements],
        delegation_id=body.delegation_id,
    )
    db.session.commit()
    return result


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures/passkey",
    "POST",
    summary="Sign the declaration for your delegation with a passkey",
    body=PasskeySignIn,
    response=SignatureCreatedOut,
    roles=[UserRole.delegate],
    tags=["signatures"],
    throttled=True,
)
def create_passkey_signature(declaration_id: int, body: PasskeySignIn):
    """400 ``passkey_refused`` (nothing stored) for a replayed assertion, one made for other
    choices, an unknown passkey, another person's passkey or a counter gone backwards."""
    declaration = _declaration(declaration_id)
    signature = operations.sign_declaration(
        declaration,
        actor=api_user(),
        password="",
        typed_name=body.typed_name,
        endorsed_keys=body.endorsed_keys,
        statements=[s.model_dump() for s in body.statements],
        delegation_id=body.delegation_id,
        passkey=body.credential,
        relying_party=passkeys.relying_party(request.host_url),
        meta=RequestMeta.current(),
    )
    db.session.commit()
    return {**signature_out(signature), "receipt": receipts.signed_receipt(signature)}


def _policy_out(declaration) -> dict:
    found = policy.policy_for(declaration)
    return {
        "mode": found.mode.value,
        "email_code": found.email_code,
        "explanation": found.explanation,
    }


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures/policy",
    "GET",
    summary="How signatories of this declaration confirm that it is them",
    response=PolicyOut,
    tags=["signatures"],
)
def get_policy(declaration_id: int):
    return _policy_out(_declaration(declaration_id))


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures/policy",
    "PUT",
    summary="Choose password, passkey preferred or passkey required (organisers)",
    body=PolicyIn,
    response=PolicyOut,
    roles=[UserRole.organiser],
    tags=["signatures"],
)
def put_policy(declaration_id: int, body: PolicyIn):
    declaration = _declaration(declaration_id)
    policy.set_policy(declaration, actor=api_user(), mode=body.mode, email_code=body.email_code)
    db.session.commit()
    return _policy_out(declaration)


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures/checkpoints",
    "GET",
    summary="Signed checkpoints of the declaration's signing chain, latest first",
    response=list[CheckpointOut],
    public=True,
    tags=["signatures"],
)
def list_checkpoints(declaration_id: int):
    """Whoever can see the declaration. Keep one: ``flask signatures verify --against FILE``
    later proves the chain still extends it (nothing removed or rewritten)."""
    declaration = _declaration(declaration_id)
    return [checkpoints.document(c) for c in checkpoints.published(declaration.id)]


@api.endpoint(
    "/declarations/<int:declaration_id>/signing-code",
    "POST",
    summary="E-mail yourself a one-time code to sign with",
    response=MessageOut,
    roles=[UserRole.delegate],
    status=202,
    tags=["signatures"],
    operation_id="request_signing_code",
    throttled=True,
)
def request_code(declaration_id: int):
    declaration = _declaration(declaration_id)
    reauth.request_signing_code(declaration, actor=api_user())
    db.session.commit()
    return {"message": _("A one-time code was sent to %(email)s.", email=api_user().email)}


@api.endpoint(
    "/declarations/<int:declaration_id>/signatures/reminders",
    "POST",
    summary="Remind the delegations that have not signed (once a day at most each)",
    response=ReminderOut,
    roles=[UserRole.organiser],
    status=200,
    tags=["signatures"],
    operation_id="send_signature_reminders",
)
def send_reminders(declaration_id: int):
    declaration = _declaration(declaration_id)
    result = board.send_reminders(declaration, actor=api_user())
    db.session.commit()
    return {
        "reminded": result.reminded,
        "recently_reminded": result.recently_reminded,
        "no_signatory": result.no_signatory,
        "mails": result.mails,
    }


@api.endpoint(
    "/signatures/<int:signature_id>",
    "GET",
    summary="One signature (organisers, staff, and members of its delegation)",
    response=SignatureOut,
    tags=["signatures"],
)
def get_signature(signature_id: int):
    return signature_out(operations.get_signature(signature_id, api_user()))


@api.endpoint(
    "/signatures/<int:signature_id>",
    "DELETE",
    summary="Withdraw a signature, with a reason and your password again (it stays listed as "
    "withdrawn)",
    authorise=lambda signature_id: access.require_can_withdraw(
        operations.get_signature(signature_id, api_user()), api_user()
    ),
    body=WithdrawIn,
    response=SignatureOut,
    roles=[UserRole.delegate],
    throttled=True,
    tags=["signatures"],
)
def withdraw_signature(signature_id: int, body: WithdrawIn):
    signature = operations.get_signature(signature_id, api_user())
    operations.withdraw_signature(
        signature,
        actor=api_user(),
        reason=body.reason,
        password=body.password,
        code=body.code,
        meta=RequestMeta.current(),
    )
    db.session.commit()
    return signature_out(signature)


@api.endpoint(
    "/signatures/<int:signature_id>/receipt",
    "GET",
    summary="The server-signed receipt of a signature",
    tags=["signatures"],
)
def get_receipt(signature_id: int):
    return receipts.signed_receipt(operations.get_signature(signature_id, api_user()))


@api.endpoint(
    "/signatures/receipts/check",
    "POST",
    summary="Check a receipt: signed by this server and matching its record?",
    body=ReceiptCheckIn,
    response=ReceiptCheckOut,
    public=True,
    status=200,
    tags=["signatures"],
)
def check_receipt(body: ReceiptCheckIn):
    """``valid`` is false for an altered or forged receipt (the reason is in ``message``)."""
    result = receipts.check_receipt(body.model_dump())
    return {
        "valid": result.valid,
        "active": result.active,
        "message": result.message,
        "verification_code": receipts.format_code(result.signature.verification_code)
        if result.signature is not None
        else None,
    }


@api.endpoint(
    "/verify/<code>",
    "GET",
    summary="Public verification of a signature by its code",
    response=VerificationOut,
    public=True,
    tags=["signatures"],
    operation_id="verify_signature",
)
@limit("RATELIMIT_PUBLIC_VERIFY", methods=("GET",), scope="public-verification")
def verify(code: str):
    """Checks this one signature in constant time (its own links, its receipt, its place in
    the verified chain). Cacheable: the answer carries an ``ETag`` (``If-None-Match`` gets a
    304) and may be kept by shared caches for a minute."""
    result = receipts.public_verification(receipts.find_by_code(code))
    response = jsonify(VerificationOut.model_validate(result).model_dump(mode="json"))
    response.headers["Cache-Control"] = f"public, max-age={VERIFY_MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)


@api.endpoint(
    "/signatures/public-key",
    "GET",
    summary="The server's Ed25519 public key that signs receipts and chain links",
    response=PublicKeyOut,
    public=True,
    tags=["signatures"],
    operation_id="get_public_key",
)
def public_key():
    return {
        "algorithm": "Ed25519",
        "key_id": crypto.public_key_id(),
        "pem": crypto.public_key_pem(),
    }
