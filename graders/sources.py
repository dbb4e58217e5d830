"""Learner work arrives either as text or as a file: one rule for both.

A ``str`` is always the code itself and an ``os.PathLike`` (``pathlib.Path``)
is always a file, so a short file name can never be mistaken for code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .result import GraderFailure

# Far above any exercise, low enough that a runaway generated file cannot make
# a test cell read gigabytes into memory.
MAX_SOURCE_BYTES = 5_000_000


@dataclass(frozen=True)
class Source:
    text: str
    name: str  # what the learner calls it in messages
    path: Path | None = None


def read_source(source: "str | os.PathLike[str] | Source", default_name: str) -> Source:
    if isinstance(source, Source):
        return source
    if isinstance(source, str):
        return Source(_within_limit(source, default_name), default_name)
    if not isinstance(source, os.PathLike):
        raise TypeError(f"expected code as str or a file as pathlib.Path, got {type(source).__name__}")
    path = Path(source)
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise GraderFailure(f"File {path.name} tidak ditemukan. Periksa nama file dan foldernya.") from None
    except IsADirectoryError:
        raise GraderFailure(f"{path.name} adalah folder, bukan file.") from None
    except OSError as error:
        raise GraderFailure(f"File {path.name} tidak bisa dibuka ({error.strerror}).") from None
    text = data.decode("utf-8", errors="replace")
    return Source(_within_limit(text, path.name), path.name, path.resolve())


def _within_limit(text: str, name: str) -> str:
    if len(text) > MAX_SOURCE_BYTES:
        raise GraderFailure(
            f"{name} terlalu besar (lebih dari {MAX_SOURCE_BYTES // 1_000_000} MB) untuk diperiksa.")
    return text
