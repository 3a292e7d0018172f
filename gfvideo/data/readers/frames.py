"""The frame-folder backend: numbered JPEG/PNG files (:data:`FRAME_FILE_PATTERN`), their layout
(:class:`FrameLayout`, :func:`detect_frame_layout`) and :class:`FrameFolderReader`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import cv2
import numpy as np

from .base import VideoReader, VideoReadError, _to_rgb, register_backend
from .images import read_image
from .index import missing_reason

FRAME_FILE_PATTERN = re.compile(r'^(?P<prefix>[A-Za-z_\-]*?)(?P<number>\d+)\.(?P<ext>jpg|jpeg|png)$', re.IGNORECASE)


@dataclass(frozen=True)
class FrameLayout:
    """How the frames of a folder are named: ``filename_tmpl.format(start_index + i)``."""

    filename_tmpl: str
    start_index: int
    num_frames: int


def _numbered_files(folder: str) -> dict[tuple[str, int, str], list[int]]:
    """Group the frame-like file names of a folder by (prefix, digit count, extension)."""
    groups: dict[tuple[str, int, str], list[int]] = {}
    for name in os.listdir(folder):
        match = FRAME_FILE_PATTERN.match(name)
        if match:
            key = (match['prefix'], len(match['number']), match['ext'])
            groups.setdefault(key, []).append(int(match['number']))
    return groups


def _refuse_mixed_formats(folder: str, groups: dict[tuple[str, int, str], list[int]], prefix: str, digits: int) -> None:
    """Refuse a folder whose numbered frames come in several formats (``00001-00005.jpg`` then
    ``00006-00010.png``): reading one of them would silently drop the others."""
    formats = {ext: len(numbers) for (p, d, ext), numbers in groups.items() if (p, d) == (prefix, digits)}
    if len(formats) > 1:
        counts = ', '.join(f'{count} .{ext}' for ext, count in sorted(formats.items()))
        raise VideoReadError(
            folder,
            f'frames in {len(formats)} formats ({counts}, named like {prefix}{"0" * digits}); '
            'convert them to one format so no frame is left out',
        )


def detect_frame_layout(folder: str, filename_tmpl: str | None = None, start_index: int | None = None) -> FrameLayout:
    """Find the file-name template, first index and count of a frame folder.

    Only files that match the template count (stray files are ignored). The numbers must be
    contiguous; on a mismatch the error shows the expected and found names.
    """
    if not os.path.isdir(folder):
        raise VideoReadError(folder, f'frame folder: {missing_reason(folder)}')
    names = sorted(os.listdir(folder))
    if filename_tmpl is None:
        groups = _numbered_files(folder)
        if not groups:
            raise VideoReadError(folder, f'no frame files (like 00001.jpg or img_00001.jpg) among {names[:5]}')
        (prefix, digits, ext), numbers = max(groups.items(), key=lambda item: len(item[1]))
        _refuse_mixed_formats(folder, groups, prefix, digits)
        filename_tmpl = f'{prefix}{{:0{digits}d}}.{ext}'
    else:
        numbers = [n for n in range(0, len(names) + 2) if os.path.exists(os.path.join(folder, filename_tmpl.format(n)))]
        if not numbers:
            raise VideoReadError(
                folder,
                f'expected frames named like {filename_tmpl.format(start_index or 1)!r} '
                f'(template {filename_tmpl!r}), found {names[:5]}',
            )
    numbers = sorted(numbers)
    if start_index is None:
        start_index = numbers[0]
    expected = list(range(start_index, start_index + len(numbers)))
    if numbers != expected:
        missing = sorted(set(expected) - set(numbers))
        first_missing = filename_tmpl.format(missing[0] if missing else numbers[0])
        raise VideoReadError(
            folder,
            f'expected frame {first_missing!r} (template {filename_tmpl!r}, '
            f'start index {start_index}); found {names[:5]}',
        )
    return FrameLayout(filename_tmpl, start_index, len(numbers))


class FrameFolderReader(VideoReader):
    """Frames stored as numbered images in a folder (Something-Something V1, extracted frames).

    When ``filename_tmpl``, ``start_index`` and ``num_frames`` are all given (a list file says
    them), the folder is not listed; a missing frame then fails with its file name on read. JPEG
    frames come upright by their EXIF orientation, as a video's display matrix turns its frames;
    ``autorotate=False`` keeps them as stored.
    """

    backend = 'frames'

    def __init__(
        self,
        path: str,
        filename_tmpl: str | None = None,
        start_index: int | None = None,
        num_frames: int | None = None,
        autorotate: bool = True,
    ) -> None:
        super().__init__(path)
        self.autorotate = autorotate
        if filename_tmpl is None or start_index is None or num_frames is None:
            layout = detect_frame_layout(self.path, filename_tmpl, start_index)
            if num_frames is not None and num_frames > layout.num_frames:
                raise VideoReadError(
                    self.path,
                    f'the list says {num_frames} frames, the folder has {layout.num_frames} ({layout.filename_tmpl})',
                )
            self.layout = FrameLayout(layout.filename_tmpl, layout.start_index, num_frames or layout.num_frames)
        else:
            self.layout = FrameLayout(filename_tmpl, start_index, num_frames)
        if self.layout.num_frames <= 0:
            raise VideoReadError(self.path, 'the frame folder is empty')

    def __len__(self) -> int:
        return self.layout.num_frames

    def frame_path(self, index: int) -> str:
        """File of the 0-based frame ``index``."""
        return os.path.join(self.path, self.layout.filename_tmpl.format(self.layout.start_index + index))

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        frames = []
        for index in unique_sorted.tolist():
            file = self.frame_path(index)
            image = read_image(file, f'frame {index}', self.autorotate)
            if image.ndim == 3:
                image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB)
            frames.append(_to_rgb(image))
        return frames


@register_backend('frames', folders=True)
def _open_frames(
    path: str, filename_tmpl: str | None, start_index: int | None, num_frames: int | None, autorotate: bool = True
) -> FrameFolderReader:
    """The frame folder ``path``, its layout detected where not given."""
    return FrameFolderReader(path, filename_tmpl, start_index, num_frames, autorotate)
