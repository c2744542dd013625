from __future__ import annotations

from datetime import datetime

from pydantic import Field

from alliance_conf.api.framework import ApiModel
from alliance_conf.core.inputs import Line

LANGUAGE = (
    "One of the conference's authentic languages (default: its first, the drafting language); "
    "422 for any other"
)


class DocumentLanguageQuery(ApiModel):
    language: Line | None = Field(None, max_length=16, description=LANGUAGE)


class DocumentJobIn(ApiModel):
    language: Line | None = Field(None, max_length=16, description=LANGUAGE)


class BilingualDocumentQuery(ApiModel):
    left: Line | None = Field(
        None,
        max_length=16,
        description="The left column's language (default: the conference's first language)",
    )
    right: Line | None = Field(
        None,
        max_length=16,
        description="The right column's language (default: the conference's next language)",
    )
    revision: int | None = Field(
        None, ge=1, description="A draft of this revision instead of the frozen text"
    )


class CompareDocumentQuery(ApiModel):
    from_: int = Field(alias="from", ge=1, description="The older revision number")
    to: int = Field(ge=1, description="The newer revision number")
    language: Line | None = Field(None, max_length=16, description=LANGUAGE)


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
