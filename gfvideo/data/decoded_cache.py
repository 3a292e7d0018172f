"""Decoded videos kept in memory, for small datasets trained for many epochs.

Decoding is most of what loading a clip costs on a CPU (a 128-px synthetic clip: about 3.8 ms,
of which 2 ms decoding and 1 ms opening the file), and a small dataset decodes the same videos
every epoch. A :class:`DecodedVideoCache` keeps each video's frames, all of them, once decoded,
up to a byte budget; :class:`~gfvideo.data.clip_transforms.VideoInit` (``cache_mb``) serves
later reads from it. Each process has its own cache: with DataLoader workers, keep them
persistent (``persistent_workers=True``), or each epoch starts with an empty one.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np


class DecodedVideoCache:
    """Whole decoded videos (uint8 ``(T, H, W, 3)``) by key, up to ``max_bytes`` in all.

    Entries are never evicted: once a video does not fit, ``full`` is set and later videos are
    read as without a cache (a dataset larger than the budget is read from its files
    for the videos that did not fit, every epoch, at no extra decoding cost).
    """

    def __init__(self, max_bytes: int) -> None:
        if max_bytes <= 0:
            raise ValueError(f'a decoded-video cache needs a positive budget, got {max_bytes} bytes')
        self.max_bytes = max_bytes
        self.used_bytes = 0
        self.full = False
        self._videos: dict[Hashable, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self._videos)

    def get(self, key: Hashable) -> np.ndarray | None:
        """The frames stored under ``key``, or None."""
        return self._videos.get(key)

    def put(self, key: Hashable, frames: np.ndarray) -> None:
        """Store ``frames`` under ``key`` if they fit in what is left (read-only from then on);
        a video that does not fit sets ``full``."""
        if self.used_bytes + frames.nbytes > self.max_bytes:
            self.full = True
            return
        frames.setflags(write=False)  # every later read shares this array
        self._videos[key] = frames
        self.used_bytes += frames.nbytes
