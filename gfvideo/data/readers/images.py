"""Single images and in-memory frames: :func:`read_image` (truncated JPEG/PNG files are errors,
not the grey fill libjpeg substitutes) and :class:`ArrayReader`."""

from __future__ import annotations

import os

import cv2
import numpy as np

from .base import VideoReader, VideoReadError, _to_rgb
from .index import missing_reason


def _truncation(data: bytes) -> str | None:
    """What is missing at the end of a JPEG or PNG file (libjpeg fills a cut image with grey)."""
    # Scan data never holds a bare 0xFFD9 (0xFF bytes are stuffed), so the end-of-image marker must
    # follow the last start-of-scan; bytes some cameras append after it do not matter.
    if data[:2] == b'\xff\xd8' and data.rfind(b'\xff\xd9') < data.rfind(b'\xff\xda'):
        return 'the JPEG is truncated (no end-of-image marker after its last scan)'
    if data[:8] == b'\x89PNG\r\n\x1a\n' and b'IEND\xaeB`\x82' not in data:  # the end chunk and its fixed CRC
        return 'the PNG is truncated (no IEND chunk)'
    return None


def read_image(file: str, what: str = 'image') -> np.ndarray:
    """An 8-bit image as OpenCV decodes it (BGR/BGRA/gray); truncated files are errors, not grey."""
    try:
        with open(file, 'rb') as handle:
            data = handle.read()
    except OSError as error:
        reason = 'missing' if not os.path.lexists(file) else missing_reason(file)
        raise VideoReadError(file, f'{what} is {reason}') from error
    truncated = _truncation(data)
    if truncated:
        raise VideoReadError(file, f'{what}: {truncated}')
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) if data else None
    if image is None:
        raise VideoReadError(file, f'{what} is not a readable image')
    if image.dtype != np.uint8:
        raise VideoReadError(file, f'expected 8-bit pixels, got {image.dtype}')
    return image


class ArrayReader(VideoReader):
    """Frames already in memory, ``(T, H, W, 3)`` uint8 RGB (or ``(T, H, W)`` grayscale)."""

    backend = 'array'

    def __init__(self, frames: np.ndarray, name: str = '<array>') -> None:
        super().__init__(name)
        frames = np.asarray(frames)
        if frames.dtype != np.uint8 or frames.ndim not in (3, 4) or len(frames) == 0:
            raise VideoReadError(
                name, f'expected non-empty uint8 frames (T, H, W, 3), got {frames.dtype} {tuple(frames.shape)}'
            )
        if frames.ndim == 3 and frames.shape[-1] in (3, 4):
            raise VideoReadError(
                name,
                f'a {tuple(frames.shape)} array is one image, not frames; give (T, H, W, 3) frames '
                '(one image: array[None])',
            )
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        return [_to_rgb(self.frames[i]) for i in unique_sorted]
