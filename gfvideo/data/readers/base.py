"""What every reader shares: the :class:`VideoReader` interface, the errors it raises
(:class:`VideoReadError`, :class:`DamagedVideoError`), small pixel helpers, and the registry of
backends that :func:`~gfvideo.data.readers.open_video` picks from (:func:`register_backend`)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np


class VideoReadError(RuntimeError):
    """A video or frame folder could not be read; the message names the file.

    ``VideoReadError(message)`` alone also works: a DataLoader worker re-raises it that way.
    """

    def __init__(self, path: str, reason: str | None = None) -> None:
        super().__init__(path if reason is None else f'{path}: {reason}')
        self.path = path
        self.reason = reason or path


class DamagedVideoError(VideoReadError):
    """The container declares more than can be demuxed: a truncated or corrupted file."""


class VideoReader(ABC):
    """Random access to the frames of one video; use it as a context manager."""

    backend: str = ''
    #: Degrees (counterclockwise) the frames read so far were turned to display orientation (a
    #: video's display matrix); 0 where none was, or before any frame is read.
    rotation: int = 0
    #: Whether the display matrix of the frames read so far also mirrored them.
    mirrored: bool = False

    def __init__(self, path: str) -> None:
        self.path = str(path)

    @abstractmethod
    def __len__(self) -> int:
        """Number of frames that can be read."""

    @abstractmethod
    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        """Return RGB frames for sorted, distinct, in-range indices."""

    def get_frames(self, indices: Iterable[int]) -> np.ndarray:
        """Frames at ``indices`` (0-based, any order, repeats allowed) as uint8 ``(N, H, W, 3)``."""
        indices = np.asarray(list(indices) if not isinstance(indices, np.ndarray) else indices, dtype=np.int64)
        if indices.ndim != 1 or indices.size == 0:
            raise ValueError(f'{self.path}: expected a non-empty 1-D list of frame indices, got shape {indices.shape}')
        bad = indices[(indices < 0) | (indices >= len(self))]
        if bad.size:
            raise IndexError(f'{self.path}: frame index {int(bad[0])} out of range for a video of {len(self)} frames')
        unique, inverse = np.unique(indices, return_inverse=True)
        frames = self._read(unique)
        shapes = {frame.shape for frame in frames}
        if len(shapes) > 1:
            raise VideoReadError(self.path, f'frames have different sizes {sorted(shapes)}')
        return np.stack(frames)[inverse]

    def close(self) -> None:  # noqa: B027 (a no-op for readers that hold no handle)
        """Release the file handles; the reader cannot be used afterwards."""

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.path!r}, num_frames={len(self)})'


def _to_rgb(image: np.ndarray) -> np.ndarray:
    """Grayscale or RGBA arrays to contiguous RGB."""
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    elif image.shape[2] == 4:
        image = image[:, :, :3]
    return np.ascontiguousarray(image)


@dataclass(frozen=True)
class Backend:
    """A decoding backend :func:`~gfvideo.data.readers.open_video` opens a path with, by name.

    A file backend is called as ``opener(path, container, num_threads, fallback, stream, autorotate)``:
    ``container`` is the file already opened by PyAV and checked
    (:func:`~gfvideo.data.readers.index._open_checked`), the reader's to close; ``fallback`` whether a
    failing backend may hand the file over to PyAV (what ``backend='auto'`` asks); ``stream`` the
    video stream asked for (None: FFmpeg's best); ``autorotate`` whether frames come in display
    orientation. A folder backend (``folders=True``) is called as
    ``opener(path, filename_tmpl, start_index, num_frames, autorotate)``.
    """

    name: str
    opener: Callable[..., VideoReader]
    folders: bool = False


#: Registered backends by name, in the order their modules registered them.
_REGISTRY: dict[str, Backend] = {}

_Opener = TypeVar('_Opener', bound=Callable[..., VideoReader])


def register_backend(name: str, folders: bool = False) -> Callable[[_Opener], _Opener]:
    """Decorator that registers an opener (see :class:`Backend`) as the backend ``name``."""

    def register(opener: _Opener) -> _Opener:
        if name in _REGISTRY:
            raise ValueError(f'video backend {name!r} is registered twice')
        _REGISTRY[name] = Backend(name, opener, folders)
        return opener

    return register
