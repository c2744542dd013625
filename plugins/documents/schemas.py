from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel


class CompareDocumentQuery(ApiModel):
    from_: int = Field(alias="from", ge=1, description="The older revision number")
    to: int = Field(ge=1, description="The newer revision number")


class ExporterOut(ApiModel):
    name: str
    label: str
    kind: str
    extension: str
    content_type: str


class SealedOut(ApiModel):
    declaration_id: int
    revision: int = Field(description="The frozen revision the PDF holds")
    signature_count: int = Field(description="Signatures in the PDF when it was sealed")
    sha256: str = Field(description="SHA-256 of the sealed PDF file, hex")
    size: int
    sealed_at: datetime
    certificate_subject: str
    certificate_sha256: str = Field(description="SHA-256 of the sealing certificate (DER)")
    download_path: str
