"""Pictures: where the model looked (patches drawn on the sampled frames) and budget curves.

Drawing uses OpenCV, plots use matplotlib's Agg backend and animations Pillow (all three come
with mmengine). Every file is written atomically.
"""
from __future__ import annotations

from typing import Sequence

import cv2
import numpy as np

from .fileio import atomic_path

#: One colour per focus step (RGB), repeated when there are more steps.
STEP_COLORS = ((255, 64, 64), (64, 200, 255), (255, 210, 0), (160, 255, 90), (255, 110, 255))


def _label_bar(width: int, lines: Sequence[tuple[str, tuple[int, int, int]]], scale: float) -> np.ndarray:
    height = int(18 * scale) * max(len(lines), 1) + 6
    bar = np.full((height, width, 3), 255, np.uint8)
    for row, (text, color) in enumerate(lines):
        cv2.putText(bar, text, (4, int(18 * scale) * (row + 1)), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, color, 1,
                    cv2.LINE_AA)
    return bar


def draw_glimpses(frames: np.ndarray, boxes: np.ndarray, upto_step: int | None = None) -> np.ndarray:
    """Frames ``(T, H, W, 3)`` with the patch boxes ``(K, T, 4)`` of steps ``1..upto_step`` drawn,
    one colour per step; returns a copy."""
    drawn = np.ascontiguousarray(frames.copy())
    steps = len(boxes) if upto_step is None else min(upto_step, len(boxes))
    thickness = max(1, frames.shape[1] // 100)
    for step in range(steps):
        color = STEP_COLORS[step % len(STEP_COLORS)]
        for t in range(len(drawn)):
            x0, y0, x1, y1 = (int(round(v)) for v in boxes[step, t])
            if x1 > x0 and y1 > y0:
                cv2.rectangle(drawn[t], (x0, y0), (x1 - 1, y1 - 1), color, thickness)
    return drawn


def glimpse_strip(frames: np.ndarray, boxes: np.ndarray, step_predictions: Sequence[str],
                  exit_step: int | None = None) -> np.ndarray:
    """One image: the sampled frames side by side with every step's patch, and under them the top
    prediction after each step (step 0 = glance) in that step's colour."""
    drawn = draw_glimpses(frames, boxes)
    strip = np.concatenate(list(drawn), axis=1)
    scale = max(1.0, frames.shape[1] / 160)
    lines = []
    for step, text in enumerate(step_predictions):
        color = (0, 0, 0) if step == 0 else STEP_COLORS[(step - 1) % len(STEP_COLORS)]
        marker = '  <- exit' if exit_step is not None and step == exit_step else ''
        lines.append((f'step {step}: {text}{marker}', tuple(int(c * 0.7) for c in color)))
    return np.concatenate([strip, _label_bar(strip.shape[1], lines, scale)], axis=0)


def glimpse_animation(frames: np.ndarray, boxes: np.ndarray, step_predictions: Sequence[str]) -> list[np.ndarray]:
    """Animation frames: for each step, the clip's frames with the patches up to that step and
    the step's prediction underneath."""
    images = []
    scale = max(1.0, frames.shape[1] / 160)
    for step, text in enumerate(step_predictions):
        drawn = draw_glimpses(frames, boxes, upto_step=step)
        for frame in drawn:
            bar = _label_bar(frame.shape[1], [(f'step {step}', (0, 0, 0)), (text, (0, 0, 0))], scale)
            images.append(np.concatenate([frame, bar], axis=0))
    return images


def save_png(path: str, image: np.ndarray) -> None:
    """Write an RGB image as PNG, atomically."""
    with atomic_path(path) as temporary:
        ok, encoded = cv2.imencode('.png', cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
        if not ok:
            raise RuntimeError(f'{path}: PNG encoding failed')
        with open(temporary, 'wb') as file:
            file.write(encoded.tobytes())


def save_gif(path: str, images: Sequence[np.ndarray], frame_ms: int = 250) -> None:
    """Write RGB images as a looping animated GIF, atomically."""
    from PIL import Image

    pictures = [Image.fromarray(image) for image in images]
    with atomic_path(path) as temporary:
        pictures[0].save(temporary, format='GIF', save_all=True, append_images=pictures[1:], duration=frame_ms,
                         loop=0)


def plot_budget_curve(path: str, budget_points: Sequence[dict], anytime_points: Sequence[dict] = (),
                      baseline: dict | None = None, title: str = '') -> None:
    """Top-1 accuracy against mean GMACs per clip: the early-exit budget curve, the anytime points
    (every clip runs ``k`` steps) and the baseline's point; written as PNG."""
    import matplotlib
    matplotlib.use('Agg')
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4.2), dpi=120)
    points = sorted(budget_points, key=lambda p: p['mean_gmacs'])
    axes.plot([p['mean_gmacs'] for p in points], [100 * p['top1'] for p in points], 'o-', color='tab:blue',
              label='GFNet, early exit (budgets)')
    if anytime_points:
        axes.plot([p['gmacs'] for p in anytime_points], [100 * p['top1'] for p in anytime_points], 's--',
                  color='tab:orange', label='GFNet, fixed steps (0 = glance)')
        for point in anytime_points:
            axes.annotate(str(point['step']), (point['gmacs'], 100 * point['top1']), textcoords='offset points',
                          xytext=(4, -10), fontsize=8, color='tab:orange')
    if baseline:
        axes.plot([baseline['gmacs']], [100 * baseline['top1']], '*', markersize=14, color='tab:red',
                  label=baseline.get('name', 'TSM baseline'))
    axes.set_xlabel('mean GMACs per clip')
    axes.set_ylabel('top-1 accuracy (%)')
    axes.grid(alpha=0.3)
    axes.margins(x=0.08, y=0.12)
    axes.legend(fontsize=8, loc='best')
    if title:
        axes.set_title(title, fontsize=10)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format='png')
    plt.close(figure)


def save_glimpses(prefix: str, frames: np.ndarray, features: dict, classes: Sequence[str] | None = None
                  ) -> tuple[str, str]:
    """Write ``<prefix>.png`` (the strip) and ``<prefix>.gif`` (the animation) of one clip.

    ``frames`` are the model-input frames ``(T, H, W, 3)`` uint8; ``features`` is what
    :func:`gfvideo.apis.extract_features` returns (``boxes_input``, ``logits``, ``exit_step``).
    """
    logits = np.asarray(features['logits'], dtype=np.float64)
    probabilities = np.exp(logits - logits.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)
    texts = []
    for step_probabilities in probabilities:
        best = int(step_probabilities.argmax())
        name = classes[best] if classes else f'class {best}'
        texts.append(f'{name} ({100 * step_probabilities[best]:.0f}%)')
    boxes = np.asarray(features['boxes_input'])
    save_png(prefix + '.png', glimpse_strip(frames, boxes, texts, int(features['exit_step'])))
    save_gif(prefix + '.gif', glimpse_animation(frames, boxes, texts))
    return prefix + '.png', prefix + '.gif'
