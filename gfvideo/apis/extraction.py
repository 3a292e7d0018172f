"""An extraction run: the features of many videos into a folder, one ``.npz`` each.

Each ``<name>.npz`` holds what :func:`gfvideo.apis.clip_features` returns; ``manifest.jsonl``
gets one row per video (in the input order) and ``errors.jsonl`` one per video that could not be
read or run (the run goes on). Files are written atomically. Under ``torch.distributed`` each
process takes every ``world_size``-th video and appends its rows to its own
``manifest.jsonl.part<rank>``; rank 0 merges them at the end. With ``resume`` a video whose
``.npz`` exists is skipped (its manifest row is rebuilt from the file when a kill lost it).
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Dataset

from ..config import load_config
from ..data import parse_list_file
from ..data.annotations import Label
from ..fileio import (
    OutputLockedError,
    append_jsonl,
    atomic_write_jsonl,
    atomic_write_npz,
    output_lock,
    output_names,
    read_jsonl,
    remove_stale_temporaries,
)
from ..models import GlanceFocusNet
from ..progress import progress
from .inference import (
    PreparedClip,
    class_name,
    clip_features,
    eval_pipeline,
    load_model,
    model_thresholds,
    prepare_clip,
)

MANIFEST, ERRORS = 'manifest.jsonl', 'errors.jsonl'


@dataclass(frozen=True)
class ExtractionItem:
    """One input video: its path, output name (``<name>.npz``), pipeline fields and label."""

    path: str
    name: str
    fields: dict = field(default_factory=dict)
    label: Label | None = None

    @property
    def npz(self) -> str:
        """The output file's name."""
        return self.name + '.npz'


def listed_videos(list_file: str, media_root: str = '') -> list[ExtractionItem]:
    """The videos of a list file (as for training), their paths relative to ``media_root``.

    Output names follow :func:`gfvideo.fileio.output_names` with ``media_root`` as the root.
    """
    records = parse_list_file(list_file)
    paths = [os.path.join(media_root, record.path) for record in records]
    return [
        ExtractionItem(
            path,
            name,
            dict(
                total_frames=record.num_frames,
                start_index=record.start_index,
                filename_tmpl=record.filename_tmpl,
                offset=record.offset or None,
            ),
            record.label,
        )
        for path, name, record in zip(paths, output_names(paths, media_root), records)
    ]


def given_videos(videos: Sequence[str]) -> list[ExtractionItem]:
    """Video files or frame folders, each once, named by :func:`gfvideo.fileio.output_names`."""
    paths = list(dict.fromkeys(videos))
    return [ExtractionItem(path, name) for path, name in zip(paths, output_names(paths))]


class _Clips(Dataset):
    """Decodes one video per item with the test pipeline; a failure comes back as a message."""

    def __init__(self, pipeline: list[dict], items: list[ExtractionItem]) -> None:
        self.pipeline, self.items = pipeline, items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[int, PreparedClip | None, str | None]:
        item = self.items[index]
        try:
            return index, prepare_clip(self.pipeline, item.path, **item.fields), None
        except Exception as error:  # noqa: BLE001 - every unreadable video is reported, none stops the run
            return index, None, f'{type(error).__name__}: {error}'


@dataclass(frozen=True)
class ExtractionSummary:
    """What a finished run left in its folder."""

    extracted: int  # written by this run
    already_done: int  # skipped by ``resume``
    failed: int  # rows of errors.jsonl
    videos: int  # rows of manifest.jsonl
    manifest: str
    errors: str

    def __str__(self) -> str:
        return (
            f'{self.extracted} extracted, {self.already_done} already done, {self.failed} failed'
            + (f' (see {self.errors})' if self.failed else '')
            + f'; {self.videos} videos in {self.manifest}'
        )


def manifest_row(model: GlanceFocusNet, item: ExtractionItem, features: dict[str, np.ndarray]) -> dict:
    """The ``manifest.jsonl`` row of a video whose features were saved."""
    label = item.label if isinstance(item.label, int) else None
    exit_step = int(features['exit_step'])
    prediction = int(features['logits'][exit_step].argmax())
    return dict(
        video=item.path,
        npz=item.npz,
        label=label,
        label_name=class_name(model, label) if label is not None else None,
        exit_step=exit_step,
        prediction=prediction,
        prediction_name=class_name(model, prediction),
        frame_inds=[int(i) for i in features['frame_inds']],
    )


def extract_to_folder(
    config: str,
    checkpoint: str,
    out: str,
    *,
    videos: Sequence[str] | None = None,
    list_file: str | None = None,
    media_root: str = '',
    cfg_options: dict | None = None,
    thresholds: str | os.PathLike | Sequence[float] | None = None,
    steps: int | None = None,
    resume: bool = False,
    workers: int = 0,
    device: str | None = None,
) -> ExtractionSummary | None:
    """Extract the features of ``videos`` (or of the videos of ``list_file``) into ``out``.

    Holds ``out/.lock`` while it runs (a folder another run holds raises
    :class:`gfvideo.fileio.OutputLockedError` in every process, before the model loads) and
    removes what a killed run left half-written. ``thresholds`` (a ``thresholds.json`` or a
    list) set ``exit_step``; ``steps`` limits the focus steps computed. Returns the summary on
    rank 0 and None on the other ranks. Raises :class:`gfvideo.evaluation.BudgetError` for
    thresholds of another model and :class:`gfvideo.fileio.DiskFullError` when the disk fills up
    (rerun with ``resume`` once there is space).
    """
    if (videos is None) == (list_file is None):
        raise ValueError('give either videos or list_file')
    rank, world_size = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
    with _folder_held(out, rank, world_size):
        model = load_model(
            load_config(config, cfg_options), checkpoint, device or ('cuda' if torch.cuda.is_available() else 'cpu')
        )
        exit_thresholds = None if thresholds is None else model_thresholds(model, thresholds)
        items = given_videos(videos) if videos is not None else listed_videos(str(list_file), media_root)
        os.makedirs(out, exist_ok=True)
        already = _extract_shard(model, items, out, exit_thresholds, steps, resume, workers, rank, world_size)
        if world_size > 1:
            counts: list[int | None] = [None] * world_size
            dist.all_gather_object(counts, already)  # also waits for every shard to finish
            already = sum(int(count or 0) for count in counts)
        summary = _merge_shards(items, out, resume, world_size, already) if rank == 0 else None
    return summary


@contextlib.contextmanager
def _folder_held(out: str, rank: int, world_size: int) -> Iterator[None]:
    """``out/.lock`` held by rank 0 while every process runs, after removing what a killed run
    left half-written; a folder in use raises :class:`OutputLockedError` in every process."""
    with contextlib.ExitStack() as stack:
        refused: list[str | None] = [None]
        if rank == 0:
            try:
                stack.enter_context(output_lock(out))
                remove_stale_temporaries(out)
            except OutputLockedError as error:
                refused = [str(error)]
        if world_size > 1:
            dist.broadcast_object_list(refused, src=0)
        if refused[0]:
            raise OutputLockedError(refused[0])
        yield


def _extract_shard(
    model: GlanceFocusNet,
    items: list[ExtractionItem],
    out: str,
    thresholds: list[float] | None,
    steps: int | None,
    resume: bool,
    workers: int,
    rank: int,
    world_size: int,
) -> int:
    """This process's videos into ``out``; returns how many were already done."""
    part, error_part = _part(out, MANIFEST, rank), _part(out, ERRORS, rank)
    if resume:
        done = {row['npz'] for row in read_jsonl(os.path.join(out, MANIFEST)) + read_jsonl(part)}
    else:
        done = set()
        for path in (part, error_part):
            if os.path.exists(path):
                os.remove(path)
    mine = items[rank::world_size]
    stored = {item.npz for item in mine if resume and os.path.exists(os.path.join(out, item.npz))}
    for item in mine:  # finished before a kill but not yet in the manifest: the row from the file
        if item.npz in stored and item.npz not in done:
            with np.load(os.path.join(out, item.npz)) as arrays:
                append_jsonl(part, manifest_row(model, item, dict(arrays)))
    todo = [item for item in mine if item.npz not in stored]
    loader = DataLoader(_Clips(eval_pipeline(model), todo), batch_size=None, num_workers=workers)
    for index, clip, error in progress(loader, len(todo), 'extract', 'videos', disable=rank != 0):
        item = todo[index]
        if clip is None:
            append_jsonl(error_part, dict(video=item.path, error=error))
            continue
        try:
            features = clip_features(model, clip, thresholds, steps)
        except Exception:  # noqa: BLE001 - a model failure on one video is reported, the run goes on
            append_jsonl(error_part, dict(video=item.path, error=traceback.format_exc(limit=1).strip()))
            continue
        atomic_write_npz(os.path.join(out, item.npz), features)
        append_jsonl(part, manifest_row(model, item, features))
    return len(stored)


def _merge_shards(
    items: list[ExtractionItem], out: str, resume: bool, world_size: int, already: int
) -> ExtractionSummary:
    """Every process's rows into ``manifest.jsonl`` (input order, one row per ``.npz``) and
    ``errors.jsonl`` (each failed video's latest error, unless a later run extracted it)."""
    manifest, errors = os.path.join(out, MANIFEST), os.path.join(out, ERRORS)
    rows = read_jsonl(manifest) if resume else []
    error_rows = read_jsonl(errors) if resume else []
    for rank in range(world_size):
        rows += read_jsonl(_part(out, MANIFEST, rank))
        error_rows += read_jsonl(_part(out, ERRORS, rank))
    order = {item.npz: index for index, item in enumerate(items)}
    unique = {row['npz']: row for row in rows}
    names = {item.path: item.npz for item in items}
    latest_errors = {row['video']: row for row in error_rows}
    error_rows = [row for row in latest_errors.values() if names.get(row['video'], row['video'] + '.npz') not in unique]
    atomic_write_jsonl(manifest, sorted(unique.values(), key=lambda row: order[row['npz']]))
    atomic_write_jsonl(errors, error_rows)
    for rank in range(world_size):
        for path in (_part(out, MANIFEST, rank), _part(out, ERRORS, rank)):
            if os.path.exists(path):
                os.remove(path)
    return ExtractionSummary(len(unique) - already, already, len(error_rows), len(unique), manifest, errors)


def _part(out: str, name: str, rank: int) -> str:
    return os.path.join(out, f'{name}.part{rank}')
