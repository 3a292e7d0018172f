"""Class lists and their fingerprint, and the checked UTF-8 reading every list file shares."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence


class AnnotationError(ValueError):
    """A list or annotation file is malformed; the message names the file and line."""

    def __init__(self, path: str, reason: str | None = None, line: int | None = None) -> None:
        location = f'{path}:{line}' if line is not None else path
        super().__init__(location if reason is None else f'{location}: {reason}')  # one argument: a worker re-raising
        self.path = path
        self.line = line


def read_text(path: str) -> str:
    """A text file decoded as UTF-8 (a byte-order mark is dropped); anything else is an
    :class:`AnnotationError` naming the file and the line of the first bad byte."""
    if not os.path.isfile(path):
        raise AnnotationError(path, 'no such file')
    with open(path, 'rb') as file:
        data = file.read()
    try:
        return data.decode('utf-8-sig')
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b'\n') + 1
        raise AnnotationError(
            path,
            f'not UTF-8 text (byte 0x{data[error.start]:02x}; latin-1 or another encoding?): re-save the file as UTF-8',
            line,
        ) from None


def text_lines(path: str) -> list[tuple[int, str]]:
    """``(line number, line without its line break)`` of a UTF-8 text file."""
    return [(number, line.rstrip('\r')) for number, line in enumerate(read_text(path).split('\n'), start=1)]


def read_class_list(path: str) -> list[str]:
    """One class name per line (blank lines ignored); duplicates are an error."""
    classes = [line.strip() for _, line in text_lines(path) if line.strip()]
    duplicates = sorted({name for name in classes if classes.count(name) > 1})
    if duplicates:
        raise AnnotationError(path, f'duplicate class names {duplicates[:3]}')
    if not classes:
        raise AnnotationError(path, 'the class list is empty')
    return classes


def class_list_hash(classes: Sequence[str]) -> str:
    """A short fingerprint of a class list and its order (stored in checkpoints)."""
    return hashlib.sha256('\n'.join(classes).encode('utf-8')).hexdigest()[:16]
