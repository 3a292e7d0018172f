"""Video records and the parsers of every list and official annotation format gfvideo reads.

List files (one video per line, paths relative to a media root, paths may contain spaces: the
numbers are the last fields of a line):

* TSM frame list: ``frame_dir num_frames label``
* mmaction2 rawframe list: ``frame_dir total_frames label [label ...]`` and its offset variant
  ``frame_dir offset total_frames label [label ...]``
* mmaction2 video list: ``path label [label ...]``

Official annotations (see :func:`load_official`): Something-Something V1 CSVs, V2 JSONs and
Kinetics-400 CSVs. Class index order is a compatibility contract: V2 follows ``labels.json``, V1
sorted names (TSM; equals the V2 order) or the CSV order, Kinetics sorted names.
"""

from __future__ import annotations

import csv
import glob
import io
import json
import logging
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

from ..classes import AnnotationError, read_class_list, read_text, text_lines

Label = Union[int, tuple[int, ...]]

logger = logging.getLogger(__name__)

LIST_FORMATS = ('auto', 'frames', 'videos')
OFFICIAL_DATASETS = ('sthv1', 'sthv2', 'kinetics')
#: Label of the videos of an unlabelled (test) split.
UNLABELLED = -1


@dataclass(frozen=True)
class VideoRecord:
    """One video of a list.

    Attributes:
        path: the video file or frame folder, relative to the media root.
        label: a class index, a tuple of them (multi-label), or -1 when unlabelled.
        num_frames: frames in a frame folder (as the list says); None for video files, whose
            frames are counted by the reader.
        start_index: number in the file name of the folder's first frame; None to detect.
        filename_tmpl: frame file-name template such as ``'{:05d}.jpg'``; None to detect.
        offset: frames to skip at the start of the folder (mmaction2's offset lists).
        origin: ``file:line`` the record came from, for error messages.
    """

    path: str
    label: Label
    num_frames: int | None = None
    start_index: int | None = None
    filename_tmpl: str | None = None
    offset: int = 0
    origin: str = ''

    @property
    def labels(self) -> tuple[int, ...]:
        """The label(s) as a tuple."""
        return self.label if isinstance(self.label, tuple) else (self.label,)


# ----------------------------------------------------------------------------- fields
#: An integer field of a list file: ASCII digits only (``str.isdigit`` also accepts ``²``, ``١``, ``１``).
_INTEGER = re.compile(r'-?[0-9]+')
#: Characters no path or id of a list may hold: they would break the list's lines.
_LINE_BREAKING = re.compile('[\x00-\x1f\x7f\x85\u2028\u2029]')


def check_name(name: str, path: str, line: int | None, what: str = 'path') -> str:
    """``name`` if it can stand in a list line (no line breaks or control characters)."""
    if not name.strip() or _LINE_BREAKING.search(name):
        raise AnnotationError(path, f'{what} {name!r} is empty or holds a line break or control character', line)
    return name


# ----------------------------------------------------------------------------- list files
def _trailing_integers(fields: list[str]) -> int:
    count = 0
    for field in reversed(fields):
        if not _INTEGER.fullmatch(field):
            break
        count += 1
    return count


def detect_list_format(path: str) -> str:
    """``'frames'`` when the first line ends in two integers (TSM/rawframes), else ``'videos'``."""
    for _, line in text_lines(path):
        if line.strip():
            return 'frames' if _trailing_integers(line.split()) >= 2 else 'videos'
    raise AnnotationError(path, 'the list file is empty')


def _check_labels(labels: tuple[int, ...], num_classes: int | None, path: str, line: int) -> None:
    for label in labels:
        if label < UNLABELLED or (num_classes is not None and label >= num_classes):
            valid = f'0..{num_classes - 1}' if num_classes is not None else '>= 0'
            raise AnnotationError(path, f'label {label} out of range (valid: {valid}, or -1 for unlabelled)', line)


def _parse_line(text: str, fixed: int, multi_label: bool, path: str, line: int, expected: str) -> tuple[str, list[int]]:
    """Split a list line into its path (which may hold spaces) and its trailing integer fields."""
    if multi_label:
        fields = text.split()
        numeric = min(_trailing_integers(fields), len(fields) - 1)
    else:
        numeric = fixed + 1
    parts = text.rsplit(None, numeric)
    if numeric <= fixed or len(parts) != numeric + 1 or _trailing_integers(parts[1:]) != numeric:
        odd = [field for field in parts[1:] if not _INTEGER.fullmatch(field)]
        detail = f' ({odd[-1]!r} is not an integer of ASCII digits)' if odd else ''
        raise AnnotationError(path, f'expected {expected!r}, got {text!r}{detail}', line)
    return parts[0], [int(number) for number in parts[1:]]


def parse_list_file(
    path: str,
    list_format: str = 'auto',
    *,
    multi_label: bool = False,
    with_offset: bool = False,
    num_classes: int | None = None,
    start_index: int | None = None,
    filename_tmpl: str | None = None,
) -> list[VideoRecord]:
    """Read a TSM / mmaction2 rawframe / mmaction2 video list.

    Args:
        path: the list file.
        list_format: ``'frames'`` (``path num_frames label``), ``'videos'`` (``path label``) or
            ``'auto'`` (see :func:`detect_list_format`).
        multi_label: lines carry one or more labels after the fixed fields (then a path's own
            last word must not be a number, or it would be read as a field).
        with_offset: rawframe lines are ``path offset total_frames label``.
        num_classes: when given, labels outside ``0..num_classes-1`` (other than -1) are errors.
        start_index, filename_tmpl: frame-folder naming given to every record (None: detect).

    Raises:
        AnnotationError: naming the file and line of a malformed line or bad label.
    """
    if list_format not in LIST_FORMATS:
        raise ValueError(f'unknown list format {list_format!r}; choose one of {LIST_FORMATS}')
    if not os.path.isfile(path):
        raise AnnotationError(path, 'no such list file')
    if list_format == 'auto':
        if multi_label:
            raise ValueError(f'{path}: give list_format="frames" or "videos" for a multi-label list')
        list_format = detect_list_format(path)
    if list_format == 'videos':
        fixed, expected = 0, 'path label' + (' [label ...]' if multi_label else '')
    else:
        fixed = 2 if with_offset else 1
        expected = 'frame_dir offset total_frames label' if with_offset else 'frame_dir num_frames label'
        expected += ' [label ...]' if multi_label else ''
    records = []
    seen: dict[str, int] = {}
    for line_number, text in text_lines(path):
        text = text.strip()
        if not text:
            continue
        name, numbers = _parse_line(text, fixed, multi_label, path, line_number, expected)
        check_name(name, path, line_number)
        if name in seen:
            logger.warning('%s:%d: %r is listed again (first at line %d)', path, line_number, name, seen[name])
        seen.setdefault(name, line_number)
        labels = tuple(numbers[fixed:])
        _check_labels(labels, num_classes, path, line_number)
        origin = f'{path}:{line_number}'
        label = labels if multi_label else labels[0]
        if list_format == 'videos':
            records.append(VideoRecord(name, label, origin=origin))
            continue
        offset, num_frames = (numbers[0], numbers[1]) if with_offset else (0, numbers[0])
        if num_frames < 1 or offset < 0:
            raise AnnotationError(
                path, f'a frame folder needs at least one frame, got {num_frames} (offset {offset})', line_number
            )
        records.append(VideoRecord(name, label, num_frames, start_index, filename_tmpl, offset, origin))
    if not records:
        raise AnnotationError(path, 'the list file has no entries')
    return records


def format_list_line(record: VideoRecord) -> str:
    """The list line of a record: TSM's ``path num_frames label`` or ``path label`` for videos."""
    check_name(record.path, record.origin or '<record>', None)
    labels = ' '.join(str(label) for label in record.labels)
    if record.num_frames is None:
        return f'{record.path} {labels}'
    return f'{record.path} {record.num_frames} {labels}'


# ----------------------------------------------------------------------------- flip pairs
def read_flip_pairs(path: str) -> list[tuple[str, str]]:
    """Pairs of class names that a horizontal flip exchanges (one tab-separated pair a line)."""
    pairs = []
    for line_number, line in text_lines(path):
        if not line.strip():
            continue
        names = [name.strip() for name in line.rstrip('\n').split('\t')]
        if len(names) != 2 or not all(names):
            raise AnnotationError(path, f'expected two tab-separated class names, got {line.strip()!r}', line_number)
        pairs.append((names[0], names[1]))
    return pairs


def flip_label_map(classes: Sequence[str], pairs: Sequence[tuple[str, str]]) -> dict[int, int]:
    """Label index map of a horizontal flip: each pair swapped both ways."""
    index = {name: i for i, name in enumerate(classes)}
    mapping = {}
    for left, right in pairs:
        unknown = [name for name in (left, right) if name not in index]
        if unknown:
            raise KeyError(f'flip pair names classes that are not in the class list: {unknown}')
        mapping[index[left]] = index[right]
        mapping[index[right]] = index[left]
    return mapping


# ----------------------------------------------------------------------------- official annotations
@dataclass(frozen=True)
class AnnotatedVideo:
    """A video of an official split: its media name (file stem or folder name) and label."""

    name: str
    label: int
    origin: str


@dataclass(frozen=True)
class OfficialAnnotations:
    """Classes (in index order) and the videos of each split (``train``, ``val``, ``test``)."""

    classes: list[str]
    splits: dict[str, list[AnnotatedVideo]]


def _find_one(directory: str, suffix: str) -> str | None:
    matches = sorted(glob.glob(os.path.join(glob.escape(directory), f'*{suffix}')))
    if len(matches) > 1:
        raise AnnotationError(directory, f'several files end in {suffix!r}: {[os.path.basename(m) for m in matches]}')
    return matches[0] if matches else None


def _require(directory: str, suffix: str, what: str) -> str:
    path = _find_one(directory, suffix)
    if path is None:
        raise AnnotationError(directory, f'no {what} (a file named *{suffix})')
    return path


class UnknownClassError(AnnotationError):
    """An annotation names a class that is not in the class list."""


def _label_of(name: str, index: dict[str, int], path: str, line: int | None, source: str = 'the labels file') -> int:
    if name not in index:
        raise UnknownClassError(path, f'unknown class name {name!r} (not in {source})', line)
    return index[name]


def _load_sthv1(directory: str, class_order: str) -> OfficialAnnotations:
    labels_path = _require(directory, 'labels.csv', 'Something-Something V1 labels file')
    csv_classes = read_class_list(labels_path)
    classes = sorted(csv_classes) if class_order == 'sorted' else csv_classes
    index = {name: i for i, name in enumerate(classes)}
    splits = {}
    for split, suffix in (('train', 'train.csv'), ('val', 'validation.csv'), ('test', 'test.csv')):
        path = _find_one(directory, suffix)
        if path is None:
            continue
        videos = []
        for line_number, line in text_lines(path):
            if not line.strip():
                continue
            video_id, _, label_text = line.strip().partition(';')
            check_name(video_id.strip(), path, line_number, 'video id')
            if split != 'test' and not label_text:
                raise AnnotationError(path, f'expected "id;label", got {line.strip()!r}', line_number)
            label = _label_of(label_text, index, path, line_number) if label_text else UNLABELLED
            videos.append(AnnotatedVideo(video_id.strip(), label, f'{path}:{line_number}'))
        splits[split] = videos
    return OfficialAnnotations(classes, splits)


def _load_json(path: str):
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise AnnotationError(path, f'not valid JSON ({error.msg})', error.lineno) from error


def _load_sthv2(directory: str) -> OfficialAnnotations:
    labels_path = _require(directory, 'labels.json', 'Something-Something V2 labels file')
    label_map = _load_json(labels_path)
    try:
        order = sorted(
            (int(value), name)
            for name, value in label_map.items()
            if isinstance(value, (str, int)) and _INTEGER.fullmatch(str(value))
        )
        if len(order) != len(label_map):
            raise ValueError('indices must be integers of ASCII digits')
    except (AttributeError, ValueError) as error:
        raise AnnotationError(labels_path, 'expected {"class name": "index", ...}') from error
    if [value for value, _ in order] != list(range(len(order))):
        raise AnnotationError(labels_path, 'class indices are not 0..N-1')
    classes = [check_name(name, labels_path, None, 'class name') for _, name in order]
    index = {name: i for i, name in enumerate(classes)}
    splits = {}
    for split, suffix in (('train', 'train.json'), ('val', 'validation.json'), ('test', 'test.json')):
        path = _find_one(directory, suffix)
        if path is None:
            continue
        videos = []
        for position, entry in enumerate(_load_json(path)):
            if not isinstance(entry, dict) or 'id' not in entry or (split != 'test' and 'template' not in entry):
                raise AnnotationError(path, f'entry {position} lacks "id" or "template": {entry!r}')
            where = f'{path} (entry {position})'
            if not isinstance(entry['id'], (str, int)) or isinstance(entry['id'], bool):
                raise AnnotationError(where, f'"id" must be a string or integer, got {entry["id"]!r}')
            check_name(str(entry['id']), where, None, 'video id')
            if 'template' in entry:
                if not isinstance(entry['template'], str):
                    raise AnnotationError(where, f'"template" must be a string, got {entry["template"]!r}')
                name = entry['template'].replace('[', '').replace(']', '')
                label = _label_of(name, index, f'{path} (entry {position})', None)
            else:
                label = UNLABELLED
            videos.append(AnnotatedVideo(str(entry['id']), label, f'{path} (entry {position})'))
        splits[split] = videos
    return OfficialAnnotations(classes, splits)


def kinetics_clip_name(youtube_id: str, time_start: str, time_end: str) -> str:
    """The file stem of a Kinetics clip: ``{youtube_id}_{start:06d}_{end:06d}``.

    Raises ValueError unless both times are finite, non-negative and ``start <= end``.
    """
    start, end = float(time_start), float(time_end)
    if not (math.isfinite(start) and math.isfinite(end) and 0 <= start <= end):
        raise ValueError(f'expected finite times 0 <= time_start <= time_end, got {time_start!r}, {time_end!r}')
    return f'{youtube_id}_{int(start):06d}_{int(end):06d}'


def _read_kinetics_csv(path: str) -> list[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(read_text(path), newline=''))
    missing = {'youtube_id', 'time_start', 'time_end'} - set(reader.fieldnames or ())
    if missing:
        raise AnnotationError(path, f'missing columns {sorted(missing)} in header {reader.fieldnames}', 1)
    rows, last_line = [], reader.line_num  # a quoted field may span lines: number rows by where they start
    for row in reader:
        rows.append((last_line + 1, row))
        last_line = reader.line_num
    return rows


def _load_kinetics(directory: str, classes: Sequence[str] | None = None) -> OfficialAnnotations:
    tables = {}
    for split, suffixes in (('train', ('train.csv',)), ('val', ('val.csv', 'validate.csv')), ('test', ('test.csv',))):
        path = next((p for p in (_find_one(directory, s) for s in suffixes) if p), None)
        if path is not None:
            tables[split] = (path, _read_kinetics_csv(path))
    if 'train' not in tables:
        raise AnnotationError(directory, 'no Kinetics training CSV (a file named *train.csv)')
    train_path, train_rows = tables['train']
    if any(not row.get('label') for _, row in train_rows):
        raise AnnotationError(train_path, 'the training CSV needs a "label" column')
    for line_number, row in train_rows:
        check_name(row['label'], train_path, line_number, 'class name')
    source = 'the class list' if classes is not None else 'the training CSV'
    classes = list(classes) if classes is not None else sorted({row['label'] for _, row in train_rows})
    index = {name: i for i, name in enumerate(classes)}
    splits = {}
    for split, (path, rows) in tables.items():
        videos = []
        for line_number, row in rows:
            try:
                name = kinetics_clip_name(row['youtube_id'], row['time_start'], row['time_end'])
            except (TypeError, ValueError) as error:
                raise AnnotationError(path, f'bad time_start/time_end in {row}: {error}', line_number) from error
            check_name(row['youtube_id'], path, line_number, 'youtube_id')
            label = _label_of(row['label'], index, path, line_number, source) if row.get('label') else UNLABELLED
            videos.append(AnnotatedVideo(name, label, f'{path}:{line_number}'))
        splits[split] = videos
    return OfficialAnnotations(classes, splits)


def load_official(
    dataset: str, directory: str, class_order: str = 'sorted', classes: Sequence[str] | None = None
) -> OfficialAnnotations:
    """Read a dataset's official annotation files from ``directory``.

    Args:
        dataset: ``'sthv1'`` (``*-labels.csv``, ``*-train.csv``, ``*-validation.csv``,
            ``*-test.csv``), ``'sthv2'`` (the same names in ``.json``) or ``'kinetics'``
            (``*train.csv``, ``*val.csv`` or ``*validate.csv``, ``*test.csv``).
        directory: the folder holding the files.
        class_order: Something-Something V1 only: ``'sorted'`` (TSM, equals the V2 order) or
            ``'csv'`` (the labels file's order, as mmaction2 uses).
        classes: Kinetics only: the class list labels index (default: the training CSV's
            sorted names).

    Raises:
        AnnotationError: a file is missing or malformed, or names an unknown class.
    """
    if not os.path.isdir(directory):
        raise AnnotationError(directory, 'no such annotation folder')
    if dataset == 'sthv1':
        if class_order not in ('sorted', 'csv'):
            raise ValueError(f"class_order must be 'sorted' or 'csv', got {class_order!r}")
        official = _load_sthv1(directory, class_order)
    elif dataset == 'sthv2':
        official = _load_sthv2(directory)
    elif dataset == 'kinetics':
        official = _load_kinetics(directory, classes)
    else:
        raise ValueError(f'unknown dataset {dataset!r}; choose one of {OFFICIAL_DATASETS}')
    _check_duplicates(official)
    return official


def _check_duplicates(official: OfficialAnnotations) -> None:
    """Warn about a video listed twice in a split; refuse one listed in two splits."""
    first_split: dict[str, AnnotatedVideo] = {}
    for split, videos in official.splits.items():
        seen: dict[str, AnnotatedVideo] = {}
        for video in videos:
            if video.name in seen:
                labels = 'the same label' if seen[video.name].label == video.label else 'different labels'
                logger.warning(
                    'video %r is listed twice in %s, with %s: %s and %s',
                    video.name,
                    split,
                    labels,
                    seen[video.name].origin,
                    video.origin,
                )
                continue
            seen[video.name] = video
            other = first_split.get(video.name)
            if other is not None:
                raise AnnotationError(
                    video.origin,
                    f'video {video.name!r} is also in another split ({other.origin}); a video may be in one split only',
                )
        for name, video in seen.items():
            first_split.setdefault(name, video)
