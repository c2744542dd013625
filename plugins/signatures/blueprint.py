from flask import Blueprint

from plugins.signatures import views

bp = Blueprint(
    "signatures",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/signatures/static",
)


@bp.app_template_filter("commitment_label")
def commitment_label(key: str, declaration) -> str:
    """A commitment as a signatory reads it ("2. Offenders"), never its internal key."""
    from plugins.signatures.languages import reading_language, text_in
    from plugins.signatures.operations import frozen_commitments

    revision = declaration.frozen_revision
    commitments = (
        text_in(revision, reading_language(revision, None)).get("commitments", [])
        if revision is not None
        else frozen_commitments(declaration)
    )
    for number, commitment in enumerate(commitments, start=1):
        if commitment.get("key") == key:
            return f"{number}. {commitment.get('title') or ''}".strip()
    return key


@bp.app_template_global("declaration_language_hashes")
def declaration_language_hashes(declaration) -> dict:
    from plugins.signatures.languages import declaration_hashes

    return declaration_hashes(declaration)


bp.add_url_rule(
    "/declarations/<int:declaration_id>/sign", "sign", views.sign, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/sign/code", "send_code", views.send_code, methods=["POST"]
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/sign/passkey-options",
    "passkey_options",
    views.passkey_options,
    methods=["POST"],
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/signatures/policy",
    "set_policy",
    views.set_policy,
    methods=["POST"],
)
bp.add_url_rule("/declarations/<int:declaration_id>/signatures", "board", views.board)
bp.add_url_rule("/declarations/<int:declaration_id>/signatures.csv", "board_csv", views.board_csv)
bp.add_url_rule("/declarations/<int:declaration_id>/plenary", "plenary", views.plenary_screen)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/plenary.json", "plenary_json", views.plenary_json
)
bp.add_url_rule(
    "/declarations/<int:declaration_id>/signatures/reminders",
    "reminders",
    views.reminders,
    methods=["POST"],
)
bp.add_url_rule("/signatures/<int:signature_id>", "receipt", views.receipt)
bp.add_url_rule("/signatures/<int:signature_id>/receipt.json", "receipt_json", views.receipt_json)
bp.add_url_rule(
    "/signatures/<int:signature_id>/withdraw", "withdraw", views.withdraw, methods=["GET", "POST"]
)
bp.add_url_rule("/signatures/public-key.pem", "public_key", views.public_key_pem)
bp.add_url_rule(
    "/signatures/check-receipt", "check_receipt", views.check_receipt, methods=["GET", "POST"]
)
bp.add_url_rule("/verify", "verify_form", views.verify_form)
bp.add_url_rule("/verify/<code>", "verify", views.verify)
