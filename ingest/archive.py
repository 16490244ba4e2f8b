"""Limits on the zip archives that .odt and .docx files are, checked before any part is decompressed.

A zip bomb is a small file whose parts expand to gigabytes (a 300 KB .odt gave 3.4 GB of XML). Each
archive is refused, with a French reason naming the limit, when it has too many entries, when their
declared sizes add up to too much, when one part expands more than any real document does, or when it
uses a compression method other than deflate (bzip2 or lzma can expand without bound in one call).
Declared sizes can lie: zipfile stops each part at its declared size (and then fails its checksum), and
`read_part` also caps the bytes it reads.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ingest.errors import SkipFile

MAX_ENTRIES = 10_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024  # all parts decompressed, images included
MAX_PART_BYTES = 128 * 1024 * 1024  # one XML part parsed (content.xml, word/document.xml)
MAX_RATIO = 100  # decompressed / compressed size of one part; real XML stays under ~30
RATIO_FLOOR = 1024 * 1024  # parts smaller than this are not checked for their ratio
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} Mo"


def check_archive(archive: zipfile.ZipFile, what: str) -> None:
    """SkipFile with a French reason if the archive is too big or too compressed to open safely.

    `what` names the format in the reason ("document Word").
    """
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise SkipFile(
            f"{what} refusé : archive de {len(entries)} fichiers internes (maximum {MAX_ENTRIES}) ; "
            "ré-enregistrez-le depuis le logiciel d'origine"
        )
    total = 0
    for entry in entries:
        if entry.compress_type not in METHODS:
            raise SkipFile(
                f"{what} refusé : méthode de compression inhabituelle ({entry.compress_type}) ; "
                "ré-enregistrez-le depuis le logiciel d'origine"
            )
        total += entry.file_size
        if entry.filename.endswith((".xml", ".rels")) and entry.file_size > MAX_PART_BYTES:
            raise SkipFile(
                f"{what} refusé : sa partie {entry.filename} fait {_mb(entry.file_size)} une fois décompressée "
                f"(maximum {_mb(MAX_PART_BYTES)}) ; découpez le document"
            )
        if entry.file_size > RATIO_FLOOR and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise SkipFile(
                f"{what} refusé : une partie se décompresse en {_mb(entry.file_size)}, plus de {MAX_RATIO} fois "
                "sa taille compressée (bombe de décompression ?) ; ré-enregistrez-le depuis le logiciel d'origine"
            )
    if total > MAX_TOTAL_BYTES:
        raise SkipFile(
            f"{what} refusé : {_mb(total)} une fois décompressé (maximum {_mb(MAX_TOTAL_BYTES)}) ; "
            "découpez-le ou allégez ses images"
        )


def read_part(archive: zipfile.ZipFile, name: str, what: str, limit: int = MAX_PART_BYTES) -> bytes:
    """The bytes of one part, read up to `limit`: SkipFile if it is longer, whatever its declared size."""
    with archive.open(name) as part:
        data = part.read(limit + 1)
    if len(data) > limit:
        raise SkipFile(
            f"{what} refusé : sa partie {name} dépasse {_mb(limit)} une fois décompressée ; découpez le document"
        )
    return data


def open_checked(path: Path, what: str) -> zipfile.ZipFile:
    """The archive at `path`, checked by `check_archive` (zipfile's own errors pass through)."""
    archive = zipfile.ZipFile(path)
    try:
        check_archive(archive, what)
    except BaseException:
        archive.close()
        raise
    return archive
