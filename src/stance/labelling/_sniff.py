"""What an input file is, told from its first bytes before any of it is labelled.

stance labels plain text. A PDF, a Word or OpenDocument file, an archive, a compressed file, an
image or any other binary format is named as such from its signature (the table
:data:`SIGNATURES`; no extra dependency), in one line that says to extract the text first. A file
with NUL bytes or many control characters is "a binary file"; a text file that only fails to
decode keeps the advice to pass the right ``--encoding`` (see :func:`looks_binary`).
"""

from __future__ import annotations

__all__ = ["HEAD_BYTES", "SIGNATURES", "sniff", "looks_binary", "binary_message", "wide_encoding"]

HEAD_BYTES = 8192
_EXTRACT = "not text; extract the text first (stance labels plain text)"

# what the file is, and the (offset, bytes) it starts with; every one of them is impossible in text
SIGNATURES: tuple[tuple[str, tuple[tuple[int, bytes], ...]], ...] = (
    ("a PDF document", ((0, b"%PDF-"),)),
    ("a ZIP archive", ((0, b"PK\x03\x04"),)),
    ("a ZIP archive", ((0, b"PK\x05\x06"),)),
    ("a gzip-compressed file", ((0, b"\x1f\x8b\x08"),)),
    ("a bzip2-compressed file", ((0, b"BZh"), (4, b"1AY&SY"))),
    ("an xz-compressed file", ((0, b"\xfd7zXZ\x00"),)),
    ("a zstd-compressed file", ((0, b"\x28\xb5\x2f\xfd"),)),
    ("a 7-Zip archive", ((0, b"7z\xbc\xaf\x27\x1c"),)),
    ("a RAR archive", ((0, b"Rar!\x1a\x07"),)),
    ("a tar archive", ((257, b"ustar"),)),
    ("an old Microsoft Office document (DOC, XLS or PPT)", ((0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),)),
    ("an RTF document", ((0, b"{\\rtf"),)),
    ("a PNG image", ((0, b"\x89PNG\r\n\x1a\n"),)),
    ("a JPEG image", ((0, b"\xff\xd8\xff"),)),
    ("a GIF image", ((0, b"GIF87a"),)),
    ("a GIF image", ((0, b"GIF89a"),)),
    ("a TIFF image", ((0, b"II*\x00"),)),
    ("a TIFF image", ((0, b"MM\x00*"),)),
    ("a WebP image", ((0, b"RIFF"), (8, b"WEBP"))),
    ("a WAV audio file", ((0, b"RIFF"), (8, b"WAVE"))),
    ("an AVI video", ((0, b"RIFF"), (8, b"AVI "))),
    ("a video or audio file (MP4, MOV, M4A)", ((4, b"ftyp"),)),
    ("an MP3 audio file", ((0, b"ID3\x03"),)),
    ("an MP3 audio file", ((0, b"ID3\x04"),)),
    ("an Ogg audio or video file", ((0, b"OggS\x00"),)),
    ("a FLAC audio file", ((0, b"fLaC\x00"),)),
    ("an executable (ELF)", ((0, b"\x7fELF"),)),
    ("an SQLite database", ((0, b"SQLite format 3\x00"),)),
)

# a ZIP archive that is a document: told by a member name (or the OpenDocument mimetype) in its head
_ZIP_KINDS = (
    (b"mimetypeapplication/vnd.oasis.opendocument.text", "an OpenDocument text (ODT)"),
    (b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet", "an OpenDocument spreadsheet (ODS)"),
    (b"mimetypeapplication/vnd.oasis.opendocument.presentation", "an OpenDocument presentation (ODP)"),
    (b"mimetypeapplication/epub+zip", "an EPUB book"),
    (b"word/", "a Word document (DOCX)"),
    (b"xl/", "an Excel workbook (XLSX)"),
    (b"ppt/", "a PowerPoint presentation (PPTX)"),
)

_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
         (b"\xfe\xff", "utf-16"))

# C0 control bytes that do not occur in text (tab, line breaks, form feed, escape and DOS end-of-file do)
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1a\x1b")


def wide_encoding(encoding: str) -> bool:
    """Whether text in ``encoding`` has NUL bytes of its own (UTF-16, UTF-32)."""
    return encoding.lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32"))


def looks_binary(data: bytes, encoding: str = "utf-8") -> str | None:
    """Why ``data`` is not text (``"NUL bytes"``, ``"control characters"``), or ``None`` if it may be."""
    if not data or wide_encoding(encoding):
        return None
    if b"\x00" in data:
        return "NUL bytes"
    controls = len(data) - len(data.translate(None, _CONTROL))
    return "control characters" if controls > 0.05 * len(data) else None


def _zip_kind(head: bytes, path: str | None) -> str:
    for marker, what in _ZIP_KINDS:
        if marker in head:
            return what
    if path is not None:  # the central directory names every member
        import zipfile

        try:
            with zipfile.ZipFile(path) as zf:
                names = "\n".join(zf.namelist()).encode("utf-8", "replace")
        except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, NotImplementedError):
            return "a ZIP archive"
        for marker, what in _ZIP_KINDS:
            if marker.removeprefix(b"mimetype") in names:
                return what
    return "a ZIP archive"


def sniff(head: bytes, encoding: str = "utf-8", path: str | None = None) -> str | None:
    """Why a file starting with ``head`` cannot be read as text in ``encoding``, as the rest of a
    one-line message ("a PDF document, not text; extract the text first ..."), or ``None`` if it may
    be text. ``path`` (a file, not a stream) lets a ZIP archive be told apart by its member names."""
    for what, checks in SIGNATURES:
        if all(head[at:at + len(magic)] == magic for at, magic in checks):
            return f"{_zip_kind(head, path) if what == 'a ZIP archive' else what}, {_EXTRACT}"
    if not wide_encoding(encoding):
        for bom, name in _BOMS:
            if head.startswith(bom):
                return f"{name.upper()} text (it starts with a byte-order mark); pass --encoding {name}"
    why = looks_binary(head, encoding)
    return binary_message(why) if why else None


def binary_message(why: str) -> str:
    """The rest of the one-line message for a file that is not text because of ``why`` (NUL bytes, ...)."""
    return f"looks like a binary file ({why}), {_EXTRACT}"
