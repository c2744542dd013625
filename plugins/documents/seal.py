"""The sealed PDF of the final declaration: PDF/A-2b by LibreOffice, a PAdES seal by pyHanko.

The sealing certificate is a PKCS#12 file named by ``DOCUMENTS_SEAL_PKCS12`` (its password in
``DOCUMENTS_SEAL_PASSWORD``). ``flask documents seal-key FILE`` makes a self-signed one for a
demonstration; production points the setting at the organisation's own. A file without a
private key, a certificate not yet valid or expired, a wrong password: refused with the reason.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from alliance_conf.core.errors import InvalidState, ValidationFailed
from alliance_conf.i18n import _

PDF_CONTENT_TYPE = "application/pdf"
PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
CONVERT_TIMEOUT = 120


class SealUnavailable(InvalidState):
    """No usable sealing certificate, or no converter: nothing is sealed or stored."""


@dataclass
class SealingKey:
    pkcs12: bytes
    password: bytes | None
    subject: str
    fingerprint: str  # SHA-256 of the certificate (DER), hex
    not_after: datetime


def load_sealing_key(path: str | None, password: str | None, *, now=None) -> SealingKey:
    """Read and check the sealing certificate; raise ``SealUnavailable`` saying what is wrong."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not path:
        raise SealUnavailable(
            _(
                "No sealing certificate is configured (DOCUMENTS_SEAL_PKCS12): run `flask "
                "documents seal-key FILE` for a demonstration one, or point it at the "
                "organisation's PKCS#12."
            )
        )
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SealUnavailable(
            _(
                "The sealing certificate %(path)s cannot be read: %(error)s.",
                path=path,
                error=exc.strerror,
            )
        ) from None
    secret = password.encode() if password else None
    try:
        key, certificate, _others = pkcs12.load_key_and_certificates(data, secret)
    except ValueError:
        raise SealUnavailable(
            _(
                "The sealing certificate %(path)s is not a PKCS#12 file or its password is wrong.",
                path=path,
            )
        ) from None
    if key is None:
        raise SealUnavailable(
            _(
                "The sealing certificate %(path)s has no private key: a seal needs the key, "
                "export the certificate with its private key (PKCS#12).",
                path=path,
            )
        )
    if certificate is None:
        raise SealUnavailable(
            _("The sealing file %(path)s holds a key but no certificate for it.", path=path)
        )
    now = now or datetime.now(UTC)
    subject = certificate.subject.rfc4514_string()
    if now < certificate.not_valid_before_utc:
        raise SealUnavailable(
            _(
                "The sealing certificate (%(subject)s) is not valid before %(when)s UTC.",
                subject=subject,
                when=format(certificate.not_valid_before_utc, "%Y-%m-%d %H:%M"),
            )
        )
    if now > certificate.not_valid_after_utc:
        raise SealUnavailable(
            _(
                "The sealing certificate (%(subject)s) expired on %(when)s UTC: renew it before "
                "sealing.",
                subject=subject,
                when=format(certificate.not_valid_after_utc, "%Y-%m-%d %H:%M"),
            )
        )
    return SealingKey(
        pkcs12=data,
        password=secret,
        subject=subject,
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        not_after=certificate.not_valid_after_utc,
    )


def make_demo_key(
    path: Path, common_name: str, password: str | None, *, days: int = 365, not_before=None
) -> bytes:
    """A self-signed sealing certificate with its key, as PKCS#12, written with mode 0600."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "alliance-conf demonstration seal"),
        ]
    )
    start = not_before or datetime.now(UTC) - timedelta(minutes=5)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        b"alliance-conf seal", key, certificate, None, encryption
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    return certificate.public_bytes(serialization.Encoding.PEM)


_PROFILE_LOCK = threading.Lock()
_profile: Path | None = None


def _office_profile() -> Path:
    """A LibreOffice profile private to this process, made once (the first start of a new
    profile costs about a second) and removed at exit. Conversions in the process take turns
    (``_PROFILE_LOCK``): one profile cannot serve two LibreOffice instances at once."""
    global _profile
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix="alliance-soffice-"))
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def to_pdfa(docx: bytes) -> bytes:
    """Convert a .docx to PDF/A-2b with LibreOffice headless."""
    office = shutil.which("soffice")
    if office is None:
        raise SealUnavailable(_("LibreOffice (soffice) is not installed: no PDF can be made."))
    with _PROFILE_LOCK, tempfile.TemporaryDirectory(prefix="alliance-pdf-") as directory:
        work = Path(directory)
        source = work / "declaration.docx"
        source.write_bytes(docx)
        try:
            run = subprocess.run(  # noqa: S603 - our own fixed arguments
                [
                    office,
                    f"-env:UserInstallation={_office_profile().as_uri()}",
                    "--headless",
                    "--norestore",
                    "--convert-to",
                    PDFA_FILTER,
                    "--outdir",
                    str(work),
                    str(source),
                ],
                capture_output=True,
                timeout=CONVERT_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise SealUnavailable(_("LibreOffice took too long to make the PDF.")) from None
        target = work / "declaration.pdf"
        if run.returncode != 0 or not target.exists():
            raise SealUnavailable(_("LibreOffice could not convert the declaration to PDF."))
        return target.read_bytes()


def seal_pdf(pdf: bytes, key: SealingKey, *, reason: str, location: str, name: str) -> bytes:
    """Add a PAdES (B-B) signature over the whole PDF as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    try:
        signer = signers.SimpleSigner.load_pkcs12_data(key.pkcs12, (), passphrase=key.password)
    except Exception as exc:  # pyHanko wraps many kinds
        raise SealUnavailable(
            _("The sealing certificate cannot sign: %(error)s", error=exc)
        ) from None
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name="Seal",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason[:200],
        location=location[:200],
        name=name[:200],
    )
    out = _outside_event_loop(signers.sign_pdf, writer, metadata, signer=signer)
    return out.getvalue()


def _outside_event_loop(func, *args, **kwargs):
    """pyHanko's synchronous signing calls ``asyncio.run``, which refuses to run inside a
    running event loop (an async server, or a test session driving a browser): then it runs
    in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()


def check_pdf_name(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("Give a file name."), {"out": _("Required.")})
    return value
