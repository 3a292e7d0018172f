"""The ``deploy`` section: eager PyTorch against the onnxruntime export, with early exit, for
the synthetic demo model and a MobileNetV2-glance / ResNet-50-focus model."""

from __future__ import annotations

import os
import statistics
from functools import partial

import numpy as np
import torch

from ..apis.export import export_model, single_view_pipeline
from ..demo.recipes import demo_model_configs
from ..deploy import ExportedModel
from ..evaluation import NEVER_EXIT
from ..evaluation.timing import seconds
from ..registry import MODELS
from .early_exit import EXIT_BATCH, exit_thresholds, smooth_clips
from .models import GLANCE_FOCUS

#: How far below a clip's confidence the thresholds sit: onnxruntime's confidences differ from
#: eager's by about 1e-7, which must not move a clip across a threshold.
EXIT_MARGIN = 1e-5
#: Clips timed one at a time for the batch-1 latency.
LATENCY_CLIPS = 8


def _measure(config: dict, size: int, folder: str, repeats: int, threads: int) -> dict:
    """One model's medians (seconds) per ``(runtime, 'latency' | 'adaptive' | 'full')``, its GMACs
    ratio and exit steps."""
    torch.manual_seed(0)
    model = MODELS.build(config).eval()
    frames = model.num_segments
    clips = (smooth_clips(EXIT_BATCH, frames, size) * 60 + 120).round().clamp(0, 255).to(torch.uint8)
    normalize = model.data_preprocessor.normalize
    thresholds = exit_thresholds(model, normalize(clips), margin=EXIT_MARGIN)
    never = [NEVER_EXIT] * model.max_focus_steps
    export_model(model, folder, pipeline=single_view_pipeline(frames, size))
    runtime = ExportedModel(folder, threads=threads)
    runs = {
        'eager': lambda batch, limits: model.forward_adaptive(normalize(batch), limits),
        'onnxruntime': lambda batch, limits: runtime.run(batch.numpy(), limits),
    }

    def latency(run) -> None:
        for index in range(LATENCY_CLIPS):
            run(clips[index : index + 1], thresholds)

    for run in runs.values():  # warm-up
        latency(run)
        run(clips, never)
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(repeats):  # interleaved
        for name, run in runs.items():
            for kind, function in (
                ('latency', partial(latency, run)),
                ('adaptive', partial(run, clips, thresholds)),
                ('full', partial(run, clips, never)),
            ):
                times.setdefault((name, kind), []).append(seconds(function))
    result = runtime.run(clips.numpy(), thresholds)
    eager_exits = model.forward_adaptive(normalize(clips), thresholds).exit_steps.numpy()
    assert np.array_equal(result.exit_steps, eager_exits), 'both runtimes exit the same clips'
    return dict(
        median={key: statistics.median(values) for key, values in times.items()},
        gmacs_ratio=float(result.gmacs.mean()) / runtime.manifest.cumulative_gmacs[-1],
        exits=result.exit_steps,
    )


@torch.no_grad()
def deploy_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """Eager PyTorch against onnxruntime (the export of ``tools/export.py``), both with early
    exit (thresholds that let half the clips leave after the glance, a quarter after focus step 1
    ...): per-clip latency at batch 1, throughput at batch 16, and early exit's time ratio (the
    adaptive run against all steps, at batch 16) over its GMACs ratio, on each runtime. Goals:
    onnxruntime at least 1.5x as fast as eager at batch 1; time ratio / GMACs ratio <= 1.15x."""
    settings = [('synthetic demo (128 px, its config)', demo_model_configs()[0], 128)]
    if not quick:
        settings.append(('MobileNetV2 glance 128 px, ResNet-50 focus 128 px, 224 px frames', GLANCE_FOCUS, 224))
    threads = torch.get_num_threads()
    lines = [
        '| model | runtime | batch 1 ms/clip | batch 16 clips/s | GMACs ratio | time ratio | '
        'time ratio / GMACs ratio | goal <= 1.15x met |',
        '|---|---|---|---|---|---|---|---|',
    ]
    notes = []
    for index, (label, config, size) in enumerate(settings):
        measured = _measure(config, size, os.path.join(work_dir, f'export_{index}'), repeats, threads)
        median, gmacs_ratio = measured['median'], measured['gmacs_ratio']
        for name in ('eager', 'onnxruntime'):
            time_ratio = median[name, 'adaptive'] / median[name, 'full']
            overhead = time_ratio / gmacs_ratio
            lines.append(
                f'| {label} | {name} | {median[name, "latency"] / LATENCY_CLIPS * 1e3:.1f} | '
                f'{EXIT_BATCH / median[name, "adaptive"]:.1f} | {gmacs_ratio:.3f} | {time_ratio:.3f} | '
                f'**{overhead:.2f}x** | {"yes" if overhead <= 1.15 else "no"} |'
            )
        speedup = median['eager', 'latency'] / median['onnxruntime', 'latency']
        histogram = np.bincount(measured['exits']).tolist()
        notes.append(
            f'- {label}: onnxruntime is **{speedup:.2f}x** as fast as eager at batch 1 (goal >= 1.5x: '
            f'{"met" if speedup >= 1.5 else "not met"}); exits per step at batch {EXIT_BATCH}: {histogram}.'
        )
    return '\n'.join(
        lines
        + ['']
        + notes
        + [
            '',
            f'{threads} threads for both runtimes, fp32; uint8 clips in, normalisation included on both '
            f'sides; batch-1 latency is the mean over {LATENCY_CLIPS} clips run one at a time; times are '
            f'medians of {repeats} interleaved repeats after a warm-up (random weights, batch-norm statistics '
            'and classifier set as the early-exit section describes). Both runtimes exit the same clips.',
        ]
    )
