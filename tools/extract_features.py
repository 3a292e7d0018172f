"""Extract glance/focus features, patch boxes and per-step logits of videos, one ``.npz`` each.

Examples::

    python tools/extract_features.py CONFIG CKPT --list data/lists/val.txt --media-root data --out feats
    python tools/extract_features.py CONFIG CKPT --videos a.mp4 b.webm --out feats --steps 2 --resume
    torchrun --nproc_per_node 2 tools/extract_features.py CONFIG CKPT --list L --media-root R --out feats \\
        --launcher pytorch

Each ``<name>.npz`` holds ``glance`` (T, C), ``focus`` (K, T, C'), ``boxes`` (K, T, 4: original
video pixels), ``boxes_input`` (model-input pixels), ``logits`` (K+1, classes), ``exit_step`` and
``frame_inds``; ``manifest.jsonl`` gets one row per video and ``errors.jsonl`` one per video that
could not be read (the run goes on). Files are written atomically; ``--resume`` skips videos
whose ``.npz`` exists. A run holds ``OUT/.lock`` (naming it) while it runs; a second run on the
same ``--out`` is refused.

Output names, with ``--list`` and ``--videos`` alike: a video's base name without extension
(``41.webm`` -> ``41.npz``; a frame folder's name); videos that share a base name keep their
path relative to ``--media-root`` (with ``--videos``: to the videos' common folder), with '/'
as '__' (``a/41.webm``, ``b/41.webm`` -> ``a__41.npz``, ``b__41.npz``).
"""
import argparse
import contextlib
import io
import json
import os
import sys
import traceback

import numpy as np
import torch
from mmengine.config import DictAction
import torch.distributed as dist
from torch.utils.data import DataLoader, Dataset

from gfvideo.apis import class_name, clip_features, load_config, load_model, prepare_clip, eval_pipeline
from gfvideo.data import parse_list_file
from gfvideo.engine.launch import finish_distributed, init_distributed
from gfvideo.evaluation import BudgetError, read_thresholds
from gfvideo.fileio import (DiskFullError, OutputLockedError, atomic_path, atomic_write_lines, output_lock,
                            output_names, remove_stale_temporaries)
from gfvideo.progress import progress


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--list', help='a video or frame list file (as for training)')
    source.add_argument('--videos', nargs='+', help='video files or frame folders')
    parser.add_argument('--media-root', default='', help='with --list: the folder list paths are relative to')
    parser.add_argument('--out', required=True)
    parser.add_argument('--steps', type=int, help='focus steps to compute (default: all)')
    parser.add_argument('--thresholds', help='thresholds.json: exit_step says where early exit would stop')
    parser.add_argument('--resume', action='store_true', help='skip videos whose .npz already exists')
    parser.add_argument('--workers', type=int, default=0, help='decoding processes')
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch'], default='none')
    return parser.parse_args(argv)


class Videos(Dataset):
    """Decodes one video per item with the test pipeline; failures come back as messages."""

    def __init__(self, pipeline: list, items: list[dict]) -> None:
        self.pipeline, self.items = pipeline, items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int):
        item = self.items[index]
        try:
            return index, prepare_clip(self.pipeline, item['path'], **item['fields']), None
        except Exception as error:  # noqa: BLE001 - every unreadable video is reported, none stops the run
            return index, None, f'{type(error).__name__}: {error}'


def video_items(args: argparse.Namespace) -> list[dict]:
    if args.videos:
        items = [dict(path=path, fields={}, label=None) for path in dict.fromkeys(args.videos)]
        root = None
    else:
        items = []
        for record in parse_list_file(args.list):
            path = os.path.join(args.media_root, record.path)
            fields = dict(total_frames=record.num_frames, start_index=record.start_index,
                          filename_tmpl=record.filename_tmpl, offset=record.offset or None)
            items.append(dict(path=path, fields=fields, label=record.label))
        root = args.media_root
    for item, name in zip(items, output_names([item['path'] for item in items], root)):
        item['name'] = name
    return items


def save_npz(path: str, arrays: dict) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with atomic_path(path) as temporary, open(temporary, 'wb') as file:
        file.write(buffer.getvalue())


def read_rows(path: str) -> list[dict]:
    """The complete JSON lines of a file (a line torn by a kill is dropped)."""
    if not os.path.exists(path):
        return []
    rows = []
    with open(path, encoding='utf-8') as file:
        for line in file:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


def append_row(path: str, row: dict) -> None:
    with open(path, 'a', encoding='utf-8') as file:
        file.write(json.dumps(row) + '\n')
        file.flush()
        os.fsync(file.fileno())


def manifest_row(item: dict, npz: str, features: dict, model) -> dict:
    label = item['label'] if isinstance(item['label'], int) else None
    prediction = int(features['logits'][int(features['exit_step'])].argmax())
    return dict(video=item['path'], npz=os.path.basename(npz), label=label,
                label_name=class_name(model, label) if label is not None else None,
                exit_step=int(features['exit_step']), prediction=prediction,
                prediction_name=class_name(model, prediction), frame_inds=[int(i) for i in features['frame_inds']])


def main(argv=None) -> int:
    args = parse_args(argv)
    init_distributed(args.launcher)
    rank, world_size = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
    with contextlib.ExitStack() as stack:
        refused = [None]
        if rank == 0:
            try:
                stack.enter_context(output_lock(args.out))
                remove_stale_temporaries(args.out)  # what a killed run left half-written
            except OutputLockedError as error:
                refused = [str(error)]
        if world_size > 1:
            dist.broadcast_object_list(refused, src=0)
        if refused[0]:
            print(f'error: {refused[0]}', file=sys.stderr)
            finish_distributed()
            return 2
        return extract(args, rank, world_size)


def extract(args: argparse.Namespace, rank: int, world_size: int) -> int:
    """The run proper, with the output folder held."""
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = load_model(load_config(args.config, args.cfg_options), args.checkpoint, device)
    thresholds = None
    if args.thresholds:
        try:
            thresholds = read_thresholds(args.thresholds, model.classes_hash, model.max_focus_steps)
        except BudgetError as error:
            print(f'error: {error}', file=sys.stderr)
            return 2
    items = video_items(args)
    os.makedirs(args.out, exist_ok=True)
    manifest, errors = os.path.join(args.out, 'manifest.jsonl'), os.path.join(args.out, 'errors.jsonl')
    part, error_part = f'{manifest}.part{rank}', f'{errors}.part{rank}'
    done = {row['npz'] for row in read_rows(manifest) + read_rows(part)} if args.resume else set()
    if not args.resume:
        for path in (part, error_part):
            if os.path.exists(path):
                os.remove(path)
    mine = [i for i in range(len(items)) if i % world_size == rank]
    todo = [i for i in mine if not (args.resume and os.path.exists(os.path.join(args.out, items[i]['name'] + '.npz')))]
    for i in mine:  # finished before a kill but not yet in the manifest: add the row from the file
        npz = os.path.join(args.out, items[i]['name'] + '.npz')
        if args.resume and i not in todo and os.path.basename(npz) not in done:
            with np.load(npz) as stored:
                append_row(part, manifest_row(items[i], npz, dict(stored), model))
    loader = DataLoader(Videos(eval_pipeline(model), [items[i] for i in todo]), batch_size=None,
                        num_workers=args.workers)
    failures = 0
    already = sum(1 for item in items if args.resume and os.path.exists(os.path.join(args.out, item['name'] + '.npz')))
    for index, clip, error in progress(loader, len(todo), 'extract', 'videos', disable=rank != 0):
        item = items[todo[index]]
        if clip is None:
            failures += 1
            append_row(error_part, dict(video=item['path'], error=error))
            continue
        try:
            features = clip_features(model, clip, thresholds, args.steps)
        except Exception:  # noqa: BLE001 - a model failure on one video is reported, the run goes on
            failures += 1
            append_row(error_part, dict(video=item['path'], error=traceback.format_exc(limit=1).strip()))
            continue
        npz = os.path.join(args.out, item['name'] + '.npz')
        try:
            save_npz(npz, features)
        except DiskFullError as error:  # every later video would fail the same way
            print(f'error: {error.strerror}; rerun with --resume once there is space', file=sys.stderr)
            return 1
        append_row(part, manifest_row(item, npz, features, model))
    if world_size > 1:
        dist.barrier()
    if rank == 0:
        order = {item['name'] + '.npz': i for i, item in enumerate(items)}
        rows, error_rows = read_rows(manifest) if args.resume else [], read_rows(errors) if args.resume else []
        for r in range(world_size):
            rows += read_rows(f'{manifest}.part{r}')
            error_rows += read_rows(f'{errors}.part{r}')
        unique = {row['npz']: row for row in rows}
        extracted = {row['npz'] for row in unique.values()}
        names = {item['path']: item['name'] for item in items}
        latest_errors = {row['video']: row for row in error_rows}  # a retried video keeps its latest error
        error_rows = [row for row in latest_errors.values()
                      if names.get(row['video'], row['video']) + '.npz' not in extracted]
        atomic_write_lines(manifest, [json.dumps(row) for row in sorted(unique.values(), key=lambda r: order[r['npz']])])
        atomic_write_lines(errors, [json.dumps(row) for row in error_rows])
        for r in range(world_size):
            for path in (f'{manifest}.part{r}', f'{errors}.part{r}'):
                if os.path.exists(path):
                    os.remove(path)
        print(f'{len(unique) - already} extracted, {already} already done, {len(error_rows)} failed'
              + (f' (see {errors})' if error_rows else '') + f'; {len(unique)} videos in {manifest}')
    finish_distributed()
    return 0


if __name__ == '__main__':
    sys.exit(main())
