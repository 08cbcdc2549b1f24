"""Trusted documents: the GraphQL documents a front end's build declares, sent by id.

The build writes a manifest: a JSON object from document id to document text, where the id
is the SHA-256 of the text, `"sha256:<hex>"` or `"<hex>"` (GraphQL Codegen's persisted
documents and Relay's persisted queries write this shape). A request may then name a
document by `documentId`, or by the automatic-persisted-queries field
`extensions.persistedQuery.sha256Hash`, instead of sending its text as `query`. In
allow-list mode the server runs nothing else: document text that is not in the manifest is
refused too.

Nothing here knows about HTTP; the view turns a `DocumentRefused` into a response.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.errors import BAD_USER_INPUT, FORBIDDEN, NOT_FOUND

SHA256_PREFIX = "sha256:"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
# A manifest with bad ids names this many of them, enough to find the build that wrote it.
_IDS_NAMED = 5


class DocumentRefused(Exception):
    """A request's document cannot be run: its id is malformed or unknown, or it is untrusted."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def sha256_hex_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_of(document_id: str) -> str | None:
    """The hex SHA-256 a document id names, or None if it is not a SHA-256 id."""
    payload = document_id.removeprefix(SHA256_PREFIX)
    return payload if _HEX_DIGEST.fullmatch(payload) else None


@dataclass(frozen=True)
class TrustedDocuments:
    """Document texts by the hex SHA-256 of their UTF-8 bytes."""

    texts_by_digest: Mapping[str, str]

    def text_named(self, document_id: object) -> str:
        """The text of the document `document_id` names; refused if malformed or unknown."""
        digest = digest_of(document_id) if isinstance(document_id, str) else None
        if digest is None:
            raise DocumentRefused(
                "A document id is 'sha256:' followed by the 64 lowercase hex digits of the "
                f"SHA-256 of the document's text, not {document_id!r}.",
                code=BAD_USER_INPUT,
            )
        text = self.texts_by_digest.get(digest)
        if text is None:
            raise DocumentRefused(
                f"No trusted document has the id {document_id!r}: it is not in the manifest "
                "this server was deployed with.",
                code=NOT_FOUND,
            )
        return text

    def trusts(self, text: str) -> bool:
        return sha256_hex_of(text) in self.texts_by_digest


def persisted_query_hash(extensions: Mapping[str, object] | None) -> object:
    """The id of the automatic-persisted-queries form, `extensions.persistedQuery.sha256Hash`."""
    persisted_query = (extensions or {}).get("persistedQuery")
    if isinstance(persisted_query, Mapping):
        return persisted_query.get("sha256Hash")
    return None


def document_to_run(
    *,
    query: str | None,
    document_id: object,
    documents: TrustedDocuments,
    trusted_only: bool,
) -> str | None:
    """The text a request runs: its own `query`, or else the trusted document its id names.

    With `trusted_only`, text sent as `query` must be a trusted document as well. A request
    with neither query nor id gets None, for the GraphQL layer to refuse as it does.
    """
    if query is None:
        return None if document_id is None else documents.text_named(document_id)
    if trusted_only and not documents.trusts(query):
        raise DocumentRefused(
            "This server runs only the trusted documents of its manifest, and this document "
            "is not one of them.",
            code=FORBIDDEN,
        )
    return query


def manifest_at(path: Path) -> TrustedDocuments:
    """Read and check a manifest: every id must be the SHA-256 of its document's text."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ImproperlyConfigured(
            f"GRAPHQL_TRUSTED_DOCUMENTS names {path}, which does not exist."
        ) from error
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(
            f"The trusted documents manifest {path} is not a readable JSON file: {error}"
        ) from error
    if not isinstance(manifest, dict):
        raise ImproperlyConfigured(
            f"The trusted documents manifest {path} must be a JSON object from document id "
            "to document text."
        )
    texts_by_digest: dict[str, str] = {}
    bad_ids: list[str] = []
    for document_id, text in manifest.items():
        digest = digest_of(document_id)
        if digest is None or not isinstance(text, str) or sha256_hex_of(text) != digest:
            bad_ids.append(document_id)
        else:
            texts_by_digest[digest] = text
    if bad_ids:
        raise ImproperlyConfigured(
            f"The trusted documents manifest {path} has {len(bad_ids)} ids that are not the "
            f"SHA-256 of their document's text: {', '.join(bad_ids[:_IDS_NAMED])}"
        )
    return TrustedDocuments(texts_by_digest)


@functools.cache
def trusted_documents_at(path: str) -> TrustedDocuments:
    """The manifest at `path`, read once per process; none for an empty path."""
    if not path:
        return TrustedDocuments({})
    return manifest_at(Path(path))
