"""Turn official annotations plus a media folder into gfvideo/TSM/mmaction2 list files."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from ...classes import AnnotationError, read_class_list
from ...fileio import atomic_write_lines
from ...resources import DATA_LISTS
from ..annotations import (
    UNLABELLED,
    OfficialAnnotations,
    UnknownClassError,
    VideoRecord,
    format_list_line,
    load_official,
)
from ..readers import (
    FRAME_FILE_PATTERN,
    DamagedVideoError,
    VideoReadError,
    decord_inexact,
    detect_frame_layout,
    open_video,
)

VIDEO_EXTENSIONS = ('.mp4', '.webm', '.mkv', '.avi', '.mov', '.m4v', '.ts', '.mts', '.m2ts')
#: The class lists shipped in data_lists/ (:data:`gfvideo.resources.DATA_LISTS`), by dataset (and
#: Something-Something V1 class order): the dataset's own first, then the synthetic benchmark's
#: (written in every layout).
CANONICAL_CLASSES = {
    ('sthv1', 'sorted'): ('sthv1_classes.txt', 'synthetic_classes.txt'),
    ('sthv1', 'csv'): ('sthv1_classes_csv_order.txt', 'synthetic_classes.txt'),
    ('sthv2', 'sorted'): ('sthv2_classes.txt', 'synthetic_classes.txt'),
    ('kinetics', 'sorted'): ('kinetics400_classes.txt', 'synthetic_classes.txt'),
}


def relabel(official: OfficialAnnotations, classes: Sequence[str], source: str) -> OfficialAnnotations:
    """The annotations with labels indexing ``classes`` (every annotated class must be in it)."""
    index = {name: i for i, name in enumerate(classes)}
    unknown = [name for name in official.classes if name not in index]
    if unknown:
        raise UnknownClassError(
            source, f'{len(unknown)} class names of the annotations are not in this class list, e.g. {unknown[:3]}'
        )
    mapping = [index[name] for name in official.classes]
    splits = {
        split: [
            dataclasses.replace(video, label=video.label if video.label == UNLABELLED else mapping[video.label])
            for video in videos
        ]
        for split, videos in official.splits.items()
    }
    return OfficialAnnotations(list(classes), splits)


def _on_class_list(
    dataset: str, annotations: str, class_order: str, classes: list[str], source: str
) -> OfficialAnnotations:
    if dataset == 'kinetics':  # its classes are only the names the CSVs use: index them directly
        return load_official(dataset, annotations, class_order, classes=classes)
    return relabel(load_official(dataset, annotations, class_order), classes, source)


def load_annotations(
    dataset: str, annotations: str, class_order: str = 'sorted', classes: str | Sequence[str] = 'canonical'
) -> OfficialAnnotations:
    """Official annotations with labels indexing the class list ``classes``.

    ``'canonical'``: the shipped list of ``data_lists/`` that holds every annotated class (so a
    subset of Kinetics keeps the 400-class indices); ``'annotations'``: the classes the
    annotation files name; a file path or a list of names: that list.

    Raises:
        AnnotationError: a malformed file, or a class name that is not in the list (named).
    """
    if classes == 'annotations':
        return load_official(dataset, annotations, class_order)
    if classes != 'canonical':
        names = read_class_list(classes) if isinstance(classes, str) else list(classes)
        return _on_class_list(
            dataset, annotations, class_order, names, classes if isinstance(classes, str) else 'the given class list'
        )
    order = class_order if dataset == 'sthv1' else 'sorted'
    candidates = [os.path.join(DATA_LISTS, name) for name in CANONICAL_CLASSES[dataset, order]]
    first_error = None
    for path in (path for path in candidates if os.path.isfile(path)):
        try:
            return _on_class_list(dataset, annotations, class_order, read_class_list(path), path)
        except UnknownClassError as error:
            first_error = first_error or error
    raise AnnotationError(
        candidates[0],
        f'not the class list of these annotations ({first_error or "missing"}); '
        f'give the full class list with --classes FILE',
    )


@dataclass(frozen=True)
class MediaItem:
    """A video file or frame folder found under the media root."""

    path: str  # relative to the media root
    is_folder: bool


def index_media(media_root: str) -> tuple[dict[str, MediaItem], list[str]]:
    """Map media names (file stems, frame-folder names) to what lies under ``media_root``.

    Returns the map and the relative paths of names found more than once (the first one, in
    sorted order, is used). Hidden files and folders (temporary outputs) are ignored.
    """
    if not os.path.isdir(media_root):
        raise FileNotFoundError(f'{media_root}: no such media folder')
    found: dict[str, MediaItem] = {}
    duplicates: list[str] = []
    for root, folders, files in os.walk(media_root):
        folders[:] = sorted(name for name in folders if not name.startswith('.'))
        relative = os.path.relpath(root, media_root)
        candidates = []
        if relative != '.' and any(FRAME_FILE_PATTERN.match(name) for name in files):
            candidates.append((os.path.basename(root), MediaItem(relative, True)))
        for name in sorted(files):
            stem, extension = os.path.splitext(name)
            if extension.lower() in VIDEO_EXTENSIONS and not name.startswith('.'):
                candidates.append((stem, MediaItem(os.path.normpath(os.path.join(relative, name)), False)))
        for name, item in candidates:
            if name in found:
                duplicates.append(item.path)
            else:
                found[name] = item
    return found, duplicates


@dataclass(frozen=True)
class _Check:
    item: MediaItem
    media_root: str
    probe: bool


def _inspect(check: _Check) -> tuple[int | None, str | None, str | None, bool, str | None]:
    """``(num_frames, filename template, error, damaged, note)`` of one media item; ``note`` says
    what a probe found worth knowing about a readable video (see :func:`_structure_note`)."""
    path = os.path.join(check.media_root, check.item.path)
    try:
        if check.item.is_folder:
            layout = detect_frame_layout(path)
            return layout.num_frames, f'{layout.filename_tmpl} from {layout.start_index}', None, False, None
        note = None
        if check.probe:
            with open_video(path) as reader:
                reader.get_frames([0, len(reader) - 1])
                note = _structure_note(reader)
        return None, None, None, False, note
    except VideoReadError as error:
        return None, None, str(error), isinstance(error, DamagedVideoError), None


def _structure_note(reader) -> str | None:
    """What of a readable video's structure a dataset's owner may want to know: that only PyAV
    reads it exactly (decord would read it wrong; why), and that its frames are rotated."""
    index = getattr(reader, 'index', None)
    notes = []
    if index is not None:
        reason = decord_inexact(index)
        if reason is not None:
            notes.append(f'read by PyAV only ({reason})')
    if reader.rotation or reader.mirrored:
        turned = f'rotated {reader.rotation} degrees' + (' and mirrored' if reader.mirrored else '')
        notes.append(f'{turned} by its display matrix (read upright, by PyAV only)')
    return '; '.join(notes) or None


@dataclass
class ListBuildReport:
    """What :func:`build_lists` wrote and what it could not list."""

    counts: dict[str, int] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    frame_templates: set[str] = field(default_factory=set)
    num_classes: int = 0


def build_lists(
    dataset: str,
    annotations: str,
    media_root: str,
    out: str,
    probe: bool = False,
    class_order: str = 'sorted',
    workers: int = 1,
    progress: Callable[[Iterable, int], Iterable] | None = None,
    classes: str | Sequence[str] = 'canonical',
) -> ListBuildReport:
    """Write ``train.txt``, ``val.txt`` (``test.txt``) and ``classes.txt`` under ``out``.

    Labels index ``classes`` (see :func:`load_annotations`; by default the canonical list of
    ``data_lists/``, so a subset of a dataset keeps the full dataset's class indices).

    Frame folders are listed as ``path num_frames label`` (only files matching the folder's
    frame template count), videos as ``path label``; paths are relative to ``media_root``.
    Videos named by the annotations but absent from ``media_root`` go to ``missing.txt``;
    folders with broken frame numbering (and, with ``probe``, videos whose first or last frame
    cannot be decoded) go to ``unreadable.txt``; with ``probe``, truncated or damaged videos
    (fewer frames than their container declares) go to ``damaged.txt``. None is listed. With
    ``probe``, readable videos that only PyAV reads exactly (decord would misread their structure)
    or whose frames are rotated by a display matrix are listed as usual and named, with the
    reason, in ``probe_notes.txt``.
    """
    official = load_annotations(dataset, annotations, class_order, classes)
    media, duplicates = index_media(media_root)
    os.makedirs(out, exist_ok=True)
    report = ListBuildReport(duplicates=duplicates, num_classes=len(official.classes))
    atomic_write_lines(os.path.join(out, 'classes.txt'), official.classes)
    with ProcessPoolExecutor(workers) if workers > 1 else _Inline() as executor:
        for split, videos in official.splits.items():
            present = [video for video in videos if video.name in media]
            report.missing += [f'{split}\t{video.name}\t{video.origin}' for video in videos if video.name not in media]
            checks = [_Check(media[video.name], media_root, probe) for video in present]
            results = executor.map(_inspect, checks, chunksize=16)
            if progress is not None:
                results = progress(results, len(checks))
            lines = []
            # results first: the progress wrapper sees its end
            for (num_frames, template, error, damaged, note), video, check in zip(results, present, checks):
                if error is not None:
                    (report.damaged if damaged else report.unreadable).append(f'{split}\t{check.item.path}\t{error}')
                    continue
                if note is not None:
                    report.notes.append(f'{split}\t{check.item.path}\t{note}')
                if template is not None:
                    report.frame_templates.add(template)
                lines.append(format_list_line(VideoRecord(check.item.path, video.label, num_frames)))
            atomic_write_lines(os.path.join(out, f'{split}.txt'), lines)
            report.counts[split] = len(lines)
    for name, entries in (
        ('missing.txt', report.missing),
        ('unreadable.txt', report.unreadable),
        ('damaged.txt', report.damaged),
        ('probe_notes.txt', report.notes),
    ):
        path = os.path.join(out, name)
        if entries:
            atomic_write_lines(path, entries)
        elif os.path.exists(path):
            os.remove(path)
    return report


class _Inline:
    """The executor interface, run in this process."""

    def __enter__(self) -> _Inline:
        return self

    def __exit__(self, *exc_info) -> None:
        return None

    @staticmethod
    def map(function, items, chunksize: int = 1):
        return map(function, items)
