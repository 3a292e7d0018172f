"""``VideoDataset``: a list file + a media root + a pipeline, with an explicit bad-sample policy."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, TypedDict

import numpy as np
from mmengine.dataset import BaseDataset
from torch.utils.data import default_collate

from ..classes import AnnotationError, read_class_list
from ..registry import DATASETS, FUNCTIONS
from .annotations import UNLABELLED, parse_list_file
from .readers import VideoReadError
from .transforms import build_pipeline

logger = logging.getLogger(__name__)

ON_ERROR_POLICIES = ('raise', 'skip')


class _ListOptions(TypedDict):
    """The :func:`gfvideo.data.parse_list_file` options a dataset reads its list with."""

    list_format: str
    multi_label: bool
    with_offset: bool
    filename_tmpl: str | None
    start_index: int | None


@DATASETS.register_module()
class VideoDataset(BaseDataset):
    """Videos or frame folders listed in a TSM / mmaction2 list file.

    Args:
        ann_file: the list file (see :func:`gfvideo.data.parse_list_file`).
        pipeline: transform configs or callables, ending in ``PackClip``.
        data_root: prepended to ``ann_file`` and ``media_root`` when they are relative.
        media_root: the folder list paths are relative to.
        classes: a class-list file or a list of names; sets ``metainfo['classes']`` and the
            valid label range.
        list_format, multi_label, with_offset, filename_tmpl, start_index: how to read the list
            and name frames (see :func:`gfvideo.data.parse_list_file`).
        on_error: ``'raise'`` (default; always in test mode) or ``'skip'``: an unreadable video
            is logged and its sample becomes ``None``, which :func:`collate_skipping` drops and
            counts. Another sample is never substituted.
        seed: base of the per-sample random generator ``default_rng((seed, epoch, index))``.
        actor_boxes: a file of per-frame object boxes (the synthetic benchmark's
            ``annotations/actor_boxes.json``, relative to ``data_root``) for measuring where a model
            looks (``metainfo['localization']['actor_boxes']``, read by evaluation only; never by
            training).
        test_mode: evaluation dataset (``on_error`` must be ``'raise'``).

    An index may be an int or an ``(epoch, index)`` pair, which makes the random crops of a
    sample depend on the epoch without any state shared between DataLoader workers.
    """

    def __init__(
        self,
        ann_file: str,
        pipeline: Sequence[Any] = (),
        data_root: str = '',
        media_root: str = '',
        classes: str | Sequence[str] | None = None,
        list_format: str = 'auto',
        multi_label: bool = False,
        with_offset: bool = False,
        filename_tmpl: str | None = None,
        start_index: int | None = None,
        on_error: str = 'raise',
        seed: int = 0,
        test_mode: bool = False,
        actor_boxes: str | None = None,
        **kwargs,
    ) -> None:
        if on_error not in ON_ERROR_POLICIES:
            raise ValueError(f'on_error must be one of {ON_ERROR_POLICIES}, got {on_error!r}')
        if test_mode and on_error != 'raise':
            raise ValueError("evaluation never skips samples: use on_error='raise' with test_mode=True")
        if data_root and media_root and not os.path.isabs(media_root):
            media_root = os.path.join(data_root, media_root)
        self.media_root = media_root or data_root
        if isinstance(classes, str):
            classes = read_class_list(os.path.join(data_root, classes) if data_root else classes)
        self.list_options = _ListOptions(
            list_format=list_format,
            multi_label=multi_label,
            with_offset=with_offset,
            filename_tmpl=filename_tmpl,
            start_index=start_index,
        )
        self.on_error = on_error
        self.seed = seed
        metainfo = dict(kwargs.pop('metainfo', None) or {})
        if classes is not None:
            metainfo.update(classes=tuple(classes))
        if actor_boxes:  # in a dict: mmengine reads every string value of metainfo that names a file
            metainfo.update(
                localization=dict(actor_boxes=os.path.join(data_root, actor_boxes) if data_root else actor_boxes)
            )
        super().__init__(
            ann_file=ann_file,
            metainfo=metainfo,
            data_root=data_root,
            pipeline=list(build_pipeline(pipeline).transforms),
            test_mode=test_mode,
            **kwargs,
        )

    def load_data_list(self) -> list[dict]:
        classes = self._metainfo.get('classes')
        records = parse_list_file(
            self.ann_file, num_classes=None if classes is None else len(classes), **self.list_options
        )
        if not self.test_mode:
            unlabelled = next((record for record in records if UNLABELLED in record.labels), None)
            if unlabelled is not None:
                raise AnnotationError(
                    unlabelled.origin,
                    f'label -1 (unlabelled) in a training list: {unlabelled.path!r} has no class to learn',
                )
        return [
            dict(
                filename=os.path.join(self.media_root, record.path),
                label=record.label,
                total_frames=record.num_frames,
                offset=record.offset,
                start_index=record.start_index,
                filename_tmpl=record.filename_tmpl,
                origin=record.origin,
            )
            for record in records
        ]

    def prepare_data(self, index: int, epoch: int = 0) -> dict | None:
        results = self.get_data_info(index)
        results['rng'] = np.random.default_rng((self.seed, epoch, index))
        try:
            return self.pipeline(results)
        except VideoReadError as error:
            if self.on_error == 'raise':
                raise VideoReadError(error.path, f'{error.reason} (listed at {results["origin"]})') from error
            logger.warning('skipping sample %d (%s): %s', index, results['origin'], error)
            return None

    def __getitem__(self, index: int | tuple[int, int]) -> dict | None:
        epoch, index = index if isinstance(index, tuple) else (0, index)
        if not self._fully_initialized:
            self.full_init()
        return self.prepare_data(index, epoch)


@FUNCTIONS.register_module()
def collate_skipping(batch: Sequence[dict | None]) -> dict:
    """Collate packed samples, dropping the ``None`` of skipped ones.

    The batch gets ``num_skipped``, the number of samples dropped, so training can count and
    report them; metadata dicts are kept as a list.
    """
    kept = [sample for sample in batch if sample is not None]
    collated: dict[str, Any] = {'num_skipped': len(batch) - len(kept)}
    if kept:
        collated.update(default_collate([{k: v for k, v in s.items() if k != 'meta'} for s in kept]))
        collated['meta'] = [sample['meta'] for sample in kept]
    return collated
