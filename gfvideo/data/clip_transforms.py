"""Clip transforms that need neither PyTorch nor mmengine: open, sample, decode, resize, crop, flip.

Dict in, dict out; each transform documents the keys it requires and the keys it adds or updates.
Random transforms draw once per clip from ``results['rng']`` (a ``numpy.random.Generator`` the
dataset derives from seed, epoch and sample index), so every frame of a clip gets the same crop
and flip, and a run is reproducible. Everything stays ``uint8``.

``results['img_to_video']`` (``[sx, sy, tx, ty]``) maps a pixel ``(x, y)`` of the current image
back to the original video: ``(x * sx + tx, y * sy + ty)``; resizes, crops and flips update it.

:mod:`gfvideo.data.transforms` registers them for configs; the ONNX runtime
(:mod:`gfvideo.deploy`) runs them without the registry, through :func:`compose_clip_transforms`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Callable

import cv2
import numpy as np

from ..classes import read_class_list
from .annotations import flip_label_map as flip_label_map_of
from .annotations import read_flip_pairs
from .decoded_cache import DecodedVideoCache
from .readers import ArrayReader, open_video
from .sampling import sample_segments

#: TSM's 13 fixed crop positions, in units of a quarter of the free space (x, y).
FIXED_CROP_POSITIONS = (
    (0, 0),
    (4, 0),
    (0, 4),
    (4, 4),
    (2, 2),
    (0, 2),
    (4, 2),
    (2, 4),
    (2, 0),
    (1, 1),
    (3, 1),
    (1, 3),
    (3, 3),
)


def _rng(results: dict) -> np.random.Generator:
    rng = results.get('rng')
    if rng is None:
        raise KeyError('random transforms need results["rng"], a numpy Generator (VideoDataset provides it)')
    return rng


def boxes_to_video(boxes: np.ndarray, img_to_video: Sequence[float]) -> np.ndarray:
    """Map ``(..., 4)`` boxes ``(x0, y0, x1, y1)`` from model-input pixels to original-video pixels
    with a clip's ``img_to_video``."""
    sx, sy, tx, ty = img_to_video
    return np.asarray(boxes, dtype=np.float64) * np.array([sx, sy, sx, sy]) + np.array([tx, ty, tx, ty])


def clip_input(video: str | os.PathLike | np.ndarray, transforms: Sequence[dict], **fields) -> tuple[dict, list[dict]]:
    """The input of a test pipeline for a video file, frame folder or ``(T, H, W, 3)`` uint8 array,
    and the pipeline's transforms to run on it (an array needs no ``VideoInit``).

    ``fields`` go into the input (a list record's ``total_frames``, ``start_index``,
    ``filename_tmpl``, ``offset``); ``label`` is -1 and ``sample_idx`` 0."""
    transforms = list(transforms)
    if isinstance(video, np.ndarray):
        reader = ArrayReader(video)
        results = dict(
            filename=reader.path, video_reader=reader, total_frames=len(reader), img_to_video=[1.0, 1.0, 0.0, 0.0]
        )
        transforms = [t for t in transforms if t['type'] != 'VideoInit']
    else:
        results = dict(filename=os.fspath(video))
    results.update({key: value for key, value in fields.items() if value is not None})
    results.update(label=-1, sample_idx=0)
    return results, transforms


def _update_mapping(
    results: dict, scale_x: float = 1.0, scale_y: float = 1.0, shift_x: float = 0.0, shift_y: float = 0.0
) -> None:
    """Compose ``img_to_video`` with ``old = new * scale + shift`` (in old image pixels)."""
    sx, sy, tx, ty = results.get('img_to_video', (1.0, 1.0, 0.0, 0.0))
    results['img_to_video'] = [sx * scale_x, sy * scale_y, tx + sx * shift_x, ty + sy * shift_y]


def _crop(results: dict, x0: int, y0: int, width: int, height: int) -> None:
    results['imgs'] = results['imgs'][:, y0 : y0 + height, x0 : x0 + width]
    results['img_shape'] = (height, width)
    _update_mapping(results, shift_x=x0, shift_y=y0)


def _resize(results: dict, width: int, height: int) -> None:
    imgs = results['imgs']
    old_height, old_width = imgs.shape[1:3]
    if (old_height, old_width) != (height, width):
        interpolation = cv2.INTER_AREA if width < old_width and height < old_height else cv2.INTER_LINEAR
        results['imgs'] = np.stack([cv2.resize(frame, (width, height), interpolation=interpolation) for frame in imgs])
        _update_mapping(results, old_width / width, old_height / height)
    results['img_shape'] = (height, width)


class VideoInit:
    """Open the video file or frame folder of a sample.

    Required keys: ``filename``; optional ``filename_tmpl``, ``start_index``, ``total_frames``
    and ``offset`` (frame folders from a list file). Added: ``video_reader``, ``total_frames``
    (frames after the offset), ``img_to_video``. ``max_pixels`` bounds the frame size a video
    file may declare; ``autorotate`` (default) reads frames in display orientation, so boxes are
    in the displayed video's pixels (see :func:`gfvideo.data.open_video`).

    ``cache_mb`` > 0 keeps every video this process opens decoded in memory, whole, until that
    many MiB are used (:class:`~gfvideo.data.decoded_cache.DecodedVideoCache`), and reads it
    from there afterwards: for small datasets trained for many epochs, with persistent
    DataLoader workers (each worker holds its own cache). A video read into the cache is decoded
    entirely, so a frame that cannot be decoded fails the video even where the clip would not
    have sampled it.
    """

    def __init__(
        self,
        backend: str = 'auto',
        num_threads: int = 1,
        max_pixels: int | None = None,
        autorotate: bool = True,
        cache_mb: float = 0,
    ) -> None:
        self.backend = backend
        self.num_threads = num_threads
        self.max_pixels = max_pixels
        self.autorotate = autorotate
        if cache_mb < 0:
            raise ValueError(f'cache_mb must be >= 0, got {cache_mb}')
        self.cache = DecodedVideoCache(round(cache_mb * 2**20)) if cache_mb else None

    def __call__(self, results: dict) -> dict:
        offset = results.get('offset', 0)
        listed = results.get('total_frames')
        options = dict(
            filename_tmpl=results.get('filename_tmpl'),
            start_index=results.get('start_index'),
            num_frames=None if listed is None else listed + offset,
        )
        key = (results['filename'], *options.values())
        frames = self.cache.get(key) if self.cache is not None else None
        if frames is None:
            reader = open_video(
                results['filename'],
                self.backend,
                self.num_threads,
                max_pixels=self.max_pixels,
                autorotate=self.autorotate,
                **options,
            )
            if self.cache is not None and not self.cache.full:
                with reader:
                    frames = reader.get_frames(np.arange(len(reader)))
                self.cache.put(key, frames)
        if frames is not None:
            reader = ArrayReader(frames, name=results['filename'])
        results['video_reader'] = reader
        results['total_frames'] = len(reader) - offset
        results['img_to_video'] = [1.0, 1.0, 0.0, 0.0]
        return results

    def __repr__(self) -> str:
        cache = '' if self.cache is None else f', cache_mb={self.cache.max_bytes / 2**20:g}'
        return f'{type(self).__name__}(backend={self.backend!r}, num_threads={self.num_threads}{cache})'


class SampleFrames:
    """Choose the frames of the clip (see :func:`gfvideo.data.sample_segments`).

    Required keys: ``total_frames``; ``rng`` for ``mode='train'``; optional ``offset``.
    Added: ``frame_inds`` (0-based indices into the video), ``num_segments``, ``num_clips``.
    """

    def __init__(self, num_segments: int = 8, mode: str = 'test', num_clips: int = 1) -> None:
        self.num_segments = num_segments
        self.mode = mode
        self.num_clips = num_clips

    def __call__(self, results: dict) -> dict:
        train = self.mode == 'train'
        rng = _rng(results) if train else None
        indices = sample_segments(results['total_frames'], self.num_segments, self.mode, rng, self.num_clips)
        results['frame_inds'] = indices + results.get('offset', 0)
        results['num_segments'] = self.num_segments
        results['num_clips'] = len(indices) // self.num_segments
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(num_segments={self.num_segments}, mode={self.mode!r}, num_clips={self.num_clips})'
        )


class VideoDecode:
    """Decode the sampled frames and close the reader.

    Required keys: ``video_reader``, ``frame_inds``. Added: ``imgs`` (uint8 ``(N, H, W, 3)``),
    ``original_shape``, ``img_shape``. Removed: ``video_reader``.
    """

    def __call__(self, results: dict) -> dict:
        reader = results.pop('video_reader')
        try:
            imgs = reader.get_frames(results['frame_inds'])
        finally:
            reader.close()
        results['imgs'] = imgs
        results['original_shape'] = results['img_shape'] = tuple(imgs.shape[1:3])
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}()'


class Resize:
    """Resize every frame so that the short side is ``short_side`` (aspect kept).

    Required keys: ``imgs``. Updated: ``imgs``, ``img_shape``, ``img_to_video``.
    """

    def __init__(self, short_side: int = 256) -> None:
        self.short_side = short_side

    def __call__(self, results: dict) -> dict:
        height, width = results['imgs'].shape[1:3]
        scale = self.short_side / min(height, width)
        _resize(results, max(1, round(width * scale)), max(1, round(height * scale)))
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(short_side={self.short_side})'


class MultiScaleCrop:
    """TSM's multi-scale crop: a crop of a random scale pair at one of 13 fixed positions,
    resized to ``input_size`` x ``input_size``.

    Crop sides are ``scale * min(H, W)`` for ``scales``, width and height at most
    ``max_distort`` scale steps apart; a side within 3 pixels of ``input_size`` snaps to it.
    With ``fixed_positions=False`` the position is uniform instead.

    Required keys: ``imgs``, ``rng``. Updated: ``imgs``, ``img_shape``, ``img_to_video``.
    """

    def __init__(
        self,
        input_size: int = 224,
        scales: tuple[float, ...] = (1, 0.875, 0.75, 0.66),
        max_distort: int = 1,
        fixed_positions: bool = True,
    ) -> None:
        self.input_size = input_size
        self.scales = tuple(scales)
        self.max_distort = max_distort
        self.fixed_positions = fixed_positions

    def __call__(self, results: dict) -> dict:
        rng = _rng(results)
        height, width = results['imgs'].shape[1:3]
        sides = [int(min(height, width) * scale) for scale in self.scales]
        sides = [self.input_size if abs(side - self.input_size) < 3 else side for side in sides]
        pairs = [(w, h) for i, w in enumerate(sides) for j, h in enumerate(sides) if abs(i - j) <= self.max_distort]
        crop_w, crop_h = pairs[rng.integers(len(pairs))]
        if self.fixed_positions:
            step_x, step_y = (width - crop_w) // 4, (height - crop_h) // 4
            px, py = FIXED_CROP_POSITIONS[rng.integers(len(FIXED_CROP_POSITIONS))]
            x0, y0 = px * step_x, py * step_y
        else:
            x0, y0 = int(rng.integers(width - crop_w + 1)), int(rng.integers(height - crop_h + 1))
        _crop(results, x0, y0, crop_w, crop_h)
        _resize(results, self.input_size, self.input_size)
        return results

    def __repr__(self) -> str:
        return (
            f'{type(self).__name__}(input_size={self.input_size}, scales={self.scales}, '
            f'max_distort={self.max_distort}, fixed_positions={self.fixed_positions})'
        )


class CenterCrop:
    """Crop the central ``crop_size`` x ``crop_size`` square (smaller frames keep their size).

    Required keys: ``imgs``. Updated: ``imgs``, ``img_shape``, ``img_to_video``.
    """

    def __init__(self, crop_size: int = 224) -> None:
        self.crop_size = crop_size

    def __call__(self, results: dict) -> dict:
        height, width = results['imgs'].shape[1:3]
        crop_w, crop_h = min(self.crop_size, width), min(self.crop_size, height)
        _crop(results, (width - crop_w) // 2, (height - crop_h) // 2, crop_w, crop_h)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(crop_size={self.crop_size})'


class ThreeCrop:
    """Three ``crop_size`` squares along the long side (start, centre, end), as three views.

    The views are concatenated along time (``3 * N`` frames, view-major) and ``num_clips`` is
    multiplied by 3. ``img_to_video`` is dropped: the views have different mappings.

    Required keys: ``imgs``, ``num_clips``. Updated: ``imgs``, ``img_shape``, ``num_clips``.
    """

    def __init__(self, crop_size: int = 256) -> None:
        self.crop_size = crop_size

    def __call__(self, results: dict) -> dict:
        imgs = results['imgs']
        height, width = imgs.shape[1:3]
        side = min(self.crop_size, height, width)
        if width >= height:
            corners = [(x, (height - side) // 2) for x in (0, (width - side) // 2, width - side)]
        else:
            corners = [((width - side) // 2, y) for y in (0, (height - side) // 2, height - side)]
        results['imgs'] = np.concatenate([imgs[:, y : y + side, x : x + side] for x, y in corners])
        results['img_shape'] = (side, side)
        results['num_clips'] = results.get('num_clips', 1) * 3
        results.pop('img_to_video', None)
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(crop_size={self.crop_size})'


class Flip:
    """Horizontal flip of the whole clip with probability ``flip_ratio``.

    ``flip_label_map`` (label -> label) swaps the labels a flip changes (Something-Something's
    left/right classes); keep ``flip_ratio=0`` for those datasets unless the map is given. In a
    config, give the pairs by class name instead: ``flip_pairs`` (a file of tab-separated name
    pairs, e.g. ``data_lists/something_something_flip_pairs.tsv``) with ``classes`` (the
    dataset's class list, a file or names; ``check_config`` refuses a list that differs from the
    dataset's).

    Required keys: ``imgs``, ``rng``, ``label``. Updated: ``imgs``, ``label``, ``img_to_video``;
    added: ``flipped``.
    """

    def __init__(
        self,
        flip_ratio: float = 0.5,
        flip_label_map: dict[int, int] | None = None,
        flip_pairs: str | None = None,
        classes: str | Sequence[str] | None = None,
    ) -> None:
        self.flip_ratio = flip_ratio
        if flip_pairs is not None:
            if flip_label_map is not None or classes is None:
                raise ValueError(
                    'Flip: flip_pairs needs classes (the class list the pairs index into) and no flip_label_map'
                )
            names = read_class_list(classes) if isinstance(classes, str) else list(classes)
            flip_label_map = flip_label_map_of(names, read_flip_pairs(flip_pairs))
        self.flip_label_map = {int(k): int(v) for k, v in (flip_label_map or {}).items()}

    def __call__(self, results: dict) -> dict:
        flipped = bool(_rng(results).random() < self.flip_ratio)
        if flipped:
            results['imgs'] = np.ascontiguousarray(results['imgs'][:, :, ::-1])
            width = results['imgs'].shape[2]
            _update_mapping(results, scale_x=-1.0, shift_x=width)
            label = results['label']
            if isinstance(label, tuple):
                results['label'] = tuple(self.flip_label_map.get(item, item) for item in label)
            else:
                results['label'] = self.flip_label_map.get(label, label)
        results['flipped'] = flipped
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(flip_ratio={self.flip_ratio}, flip_label_map={self.flip_label_map})'


#: The transforms of this module by config ``type``.
CLIP_TRANSFORMS: dict[str, type] = {
    transform.__name__: transform
    for transform in (VideoInit, SampleFrames, VideoDecode, Resize, MultiScaleCrop, CenterCrop, ThreeCrop, Flip)
}


def compose_clip_transforms(configs: Sequence[dict]) -> Callable[[dict], dict]:
    """Configs of :data:`CLIP_TRANSFORMS` (``dict(type='Resize', short_side=128)``) -> one
    callable running them in order, without mmengine's registry."""
    transforms = []
    for config in configs:
        options = dict(config)
        name = options.pop('type')
        if name not in CLIP_TRANSFORMS:
            raise ValueError(
                f'unknown clip transform {name!r}; these need neither torch nor mmengine: {sorted(CLIP_TRANSFORMS)}'
            )
        transforms.append(CLIP_TRANSFORMS[name](**options))

    def run(results: dict) -> dict:
        for transform in transforms:
            results = transform(results)
        return results

    return run
