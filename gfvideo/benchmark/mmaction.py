"""The ``mmaction`` section: gfvideo's test-time loading against mmaction2's, side by side.

mmaction2 is a reference, never a dependency: its loading runs in a worker process started with
any Python interpreter that imports it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
from functools import partial
from typing import IO, Any

from ..data import decord_available, open_video, sample_segments
from ..data.readers import index_stream
from .clips import SEGMENTS, mean_over_clips, prepare_clips, raw_decode

#: Runs in an interpreter that has mmaction2: its test-time video loading (``DecordInit`` +
#: ``SampleFrames`` + ``DecordDecode``, one decoding thread, 8 segment centres), timed on request
#: over a list of clips.
MMACTION_WORKER = r"""
import hashlib, json, os, sys, time
reply_to = os.fdopen(os.dup(1), 'w')  # the replies; anything else printed goes to the log
os.dup2(2, 1)
import numpy as np
import mmaction
from mmaction.datasets.transforms import DecordDecode, DecordInit, SampleFrames
init = DecordInit(num_threads=1)
sample = SampleFrames(clip_len=1, frame_interval=1, num_clips=SEGMENTS, test_mode=True)
decode = DecordDecode()
def load(path):
    return decode(sample(init(dict(filename=path, start_index=0, modality='RGB'))))
print(json.dumps(dict(version=mmaction.__version__)), file=reply_to, flush=True)
for line in sys.stdin:
    request = json.loads(line)
    if request['do'] == 'frames':
        reply = []
        for path in request['paths']:
            results = load(path)
            reply.append([results['frame_inds'].tolist(), hashlib.md5(np.stack(results['imgs']).tobytes()).hexdigest()])
    else:
        start = time.perf_counter()
        for path in request['paths']:
            load(path)
        reply = (time.perf_counter() - start) / len(request['paths'])
    print(json.dumps(reply), file=reply_to, flush=True)
""".replace('SEGMENTS', str(SEGMENTS))


class MMActionWorker:
    """mmaction2's loading in another process (``python``, which must import mmaction), so that
    its timings interleave with gfvideo's in one run."""

    def __init__(self, python: str) -> None:
        self.log: IO[str] = tempfile.TemporaryFile(mode='w+')  # not a pipe: warnings could fill it and block
        self.process = subprocess.Popen(
            [python, '-c', MMACTION_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests: IO[str] = self.process.stdin
        self.replies: IO[str] = self.process.stdout
        first = self.replies.readline()
        if not first:
            self.process.wait()
            error = self.errors().splitlines()
            raise RuntimeError(error[-1] if error else f'{python} exited')
        self.version = json.loads(first)['version']

    def errors(self) -> str:
        """What the worker wrote to its log so far."""
        self.log.seek(0)
        return self.log.read().strip()

    def ask(self, do: str, paths: list[str]) -> Any:
        """``'frames'``: each clip's frame indices and decoded bytes' MD5; else seconds per clip."""
        self.requests.write(json.dumps(dict(do=do, paths=paths)) + '\n')
        self.requests.flush()
        line = self.replies.readline()
        if not line:
            raise RuntimeError('mmaction2 worker died: ' + self.errors()[-2000:])
        return json.loads(line)

    def close(self) -> None:
        self.requests.close()
        self.process.wait(timeout=60)
        self.log.close()


def start_mmaction(python: str | None) -> tuple[MMActionWorker | None, str]:
    """The worker, or None and why mmaction2 is not measured."""
    if python is None:
        if importlib.util.find_spec('mmaction') is None:
            return None, (
                'mmaction2 is not installed in this interpreter, so it was not measured; pass '
                '`--mmaction-python PATH` (a Python that imports mmaction2 and decord) to compare'
            )
        python = sys.executable
    try:
        return MMActionWorker(python), ''
    except (OSError, RuntimeError) as error:
        return None, f'mmaction2 could not be loaded with `{python}` ({error}), so it was not measured'


def gfvideo_frames(path: str) -> tuple[list[int], str]:
    """gfvideo's test-time frame indices of the clip and the MD5 of their decoded bytes."""
    with open_video(path) as reader:
        indices = sample_segments(len(reader), SEGMENTS, 'test')
        return indices.tolist(), hashlib.md5(reader.get_frames(indices).tobytes()).hexdigest()


def auto_backend_used(path: str) -> str:
    """The backend ``open_video(path)`` decodes the clip with."""
    with open_video(path) as reader:
        return reader.backend if getattr(reader, '_pyav', None) is None else 'pyav (decord fell back)'


def load_average() -> str:
    """The 1-minute load average against the core count: other work on the machine shows here."""
    if not hasattr(os, 'getloadavg'):
        return 'unknown'
    return f'{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores'


def mmaction_section(work_dir: str, repeats: int, quick: bool = False, python: str | None = None) -> str:
    """On the loader section's clips, gfvideo's test-time loading (``open_video`` with the ``auto``
    backend, ``sample_segments``, ``get_frames``) against mmaction2's (``DecordInit`` +
    ``SampleFrames`` + ``DecordDecode``), one decoding thread each, after checking that both return
    the same frames. mmaction2 is a reference, never a dependency: it runs in the interpreter given
    by ``--mmaction-python`` (``python``; default: this one, if it imports mmaction), and the
    section says so when it is not installed. Goal: gfvideo at least as fast."""
    clips = prepare_clips(os.path.join(work_dir, 'clips'))
    worker, missing = start_mmaction(python)
    load_before = load_average()
    backends = ['auto', 'pyav'] + (['decord'] if decord_available() else [])
    lines = [
        '| clips | codec | mmaction2 ms/clip | gfvideo `auto` ms/clip | gfvideo `auto` speed / mmaction2 speed | '
        + ' | '.join(f'gfvideo {backend} ms/clip' for backend in backends[1:])
        + ' | same frames |',
        '|---' * (5 + len(backends)) + '|',
    ]
    verdicts = []
    try:
        for label, paths in clips.items():
            codec = index_stream(paths[0]).codec
            chosen = ', '.join(sorted({auto_backend_used(path) for path in paths}))
            same = '-'
            if worker is not None:
                theirs = worker.ask('frames', paths)
                same = 'yes' if [list(pair) for pair in theirs] == [list(gfvideo_frames(p)) for p in paths] else 'NO'
                worker.ask('time', paths)  # warm-up
            for backend in backends:
                mean_over_clips(partial(raw_decode, backend=backend), paths)
            ours: dict[str, list[float]] = {backend: [] for backend in backends}
            peers = []
            for repeat in range(repeats):  # interleaved, in alternating order, so all see the same machine load
                if worker is not None and repeat % 2:
                    peers.append(worker.ask('time', paths))
                for backend in backends:
                    ours[backend].append(mean_over_clips(partial(raw_decode, backend=backend), paths))
                if worker is not None and not repeat % 2:
                    peers.append(worker.ask('time', paths))
            ours_ms = {backend: statistics.median(times) * 1e3 for backend, times in ours.items()}
            others = ' | '.join(f'{ours_ms[backend]:.1f}' for backend in backends[1:])
            if worker is None:
                lines.append(
                    f'| {label} | {codec} | not installed | {ours_ms["auto"]:.1f} ({chosen}) | - | {others} | - |'
                )
                continue
            peer_ms = statistics.median(peers) * 1e3
            ratio = peer_ms / ours_ms['auto']
            lines.append(
                f'| {label} | {codec} | {peer_ms:.1f} | {ours_ms["auto"]:.1f} ({chosen}) | **{ratio:.2f}x** | '
                f'{others} | {same} |'
            )
            verdicts.append(
                f'- {codec}: gfvideo (`auto`, {chosen}) is **{ratio:.2f}x** as fast as mmaction2 '
                f'(goal >= 1.00x: {"met" if ratio >= 1 else "NOT met"}); frames identical: {same}.'
            )
    finally:
        if worker is not None:
            worker.close()
    if worker is None:
        return '\n'.join(lines + ['', f'**{missing}.**'])
    return '\n'.join(
        lines
        + ['']
        + verdicts
        + [
            '',
            f'gfvideo: `open_video(path, backend)` + `sample_segments(len(reader), {SEGMENTS}, "test")` + '
            f'`reader.get_frames(indices)`; mmaction2 {worker.version}: `DecordInit(num_threads=1)` + '
            f'`SampleFrames(clip_len=1, num_clips={SEGMENTS}, test_mode=True)` + `DecordDecode()`, in '
            f'`{python or sys.executable}`. One decoding thread each, the same clips; same frames = the same '
            'frame indices and identical decoded bytes. A speed ratio above 1: gfvideo is faster. Times are '
            f'medians of {repeats} interleaved repeats in alternating order (each the mean over the clips), after '
            f'a warm-up pass. Load average before / after: {load_before} / {load_average()} (above 1 or so, other '
            'work shared the cores; the ratios, measured side by side, are what to compare).',
        ]
    )
