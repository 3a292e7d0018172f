"""Pictures: where the model looked (patches drawn on the sampled frames) and budget curves.

Drawing uses OpenCV, plots use matplotlib's Agg backend and animations Pillow (all three come
with mmengine). Every file is written atomically.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .fileio import atomic_path

#: One colour per focus step (RGB), repeated when there are more steps.
STEP_COLORS = ((255, 64, 64), (64, 200, 255), (255, 210, 0), (160, 255, 90), (255, 110, 255))


def wrapped_lines(text: str, width: int, scale: float) -> list[str]:
    """``text`` broken at spaces (and inside words longer than a line) into lines that fit
    ``width`` pixels at font scale ``0.45 * scale``."""

    def fits(line: str) -> bool:
        return cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, 1)[0][0] + 8 <= width

    lines: list[str] = []
    for word in text.split(' '):
        candidate = f'{lines[-1]} {word}' if lines else word
        if lines and fits(candidate):
            lines[-1] = candidate
            continue
        while len(word) > 1 and not fits(word):  # a word wider than a line: cut it
            cut = next((i for i in range(len(word) - 1, 1, -1) if fits(word[:i])), 1)
            lines.append(word[:cut])
            word = word[cut:]
        lines.append(word)
    return lines or ['']


def _label_bar(width: int, lines: Sequence[tuple[str, tuple[int, int, int]]], scale: float) -> np.ndarray:
    """A white bar of ``width`` pixels with the captions ``(text, color)``, each wrapped to fit."""
    rows = [(line, color) for text, color in lines for line in wrapped_lines(text, width, scale)]
    height = int(18 * scale) * max(len(rows), 1) + 6
    bar = np.full((height, width, 3), 255, np.uint8)
    for row, (text, color) in enumerate(rows):
        cv2.putText(
            bar, text, (4, int(18 * scale) * (row + 1)), cv2.FONT_HERSHEY_SIMPLEX, 0.45 * scale, color, 1, cv2.LINE_AA
        )
    return bar


def dashed_rectangle(
    image: np.ndarray, box: Sequence[float] | np.ndarray, color: tuple[int, int, int], thickness: int, dash: int
) -> None:
    """Draw ``box`` ``(x0, y0, x1, y1)`` in place as a dashed outline: ``color`` dashes with black
    gaps, which no flat or textured background can be mistaken for."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    x1, y1 = x1 - 1, y1 - 1
    for (ax, ay), (bx, by) in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        length = max(abs(bx - ax), abs(by - ay), 1)
        for index, start in enumerate(range(0, length, dash)):
            stop = min(start + dash, length)
            p = (ax + (bx - ax) * start // length, ay + (by - ay) * start // length)
            q = (ax + (bx - ax) * stop // length, ay + (by - ay) * stop // length)
            cv2.line(image, p, q, color if index % 2 == 0 else (0, 0, 0), thickness)


def _dimmed(color: tuple[int, int, int]) -> tuple[int, int, int]:
    """``color`` darkened, for caption text."""
    red, green, blue = color
    return int(red * 0.7), int(green * 0.7), int(blue * 0.7)


def _enlarged(frames: np.ndarray, min_side: int = 160) -> tuple[np.ndarray, int]:
    """Frames scaled up by a whole factor (nearest neighbour, so fine patterns stay crisp)."""
    factor = max(1, -(-min_side // min(frames.shape[1:3])))
    return np.ascontiguousarray(frames.repeat(factor, axis=1).repeat(factor, axis=2)), factor


def glimpse_panels(
    frames: np.ndarray,
    boxes: np.ndarray,
    step_texts: Sequence[str],
    exit_step: int | None = None,
    input_region: Sequence[float] | np.ndarray | None = None,
    title: str = '',
) -> np.ndarray:
    """Where the model looked, one row per step: row 0 shows the whole sampled frames ``(T, H, W, 3)``
    with the model input's region (solid white), row ``k`` the same frames with step ``k``'s patch
    ``boxes[k-1]`` ``(K, T, 4)`` (frame pixels) as a thick dashed outline in the step's colour.
    Each row's caption, above it, gives the prediction after that step (``step_texts``); rows stop at
    ``exit_step``, so no patch after the exit is drawn. ``title`` (e.g. the true class) heads it."""
    enlarged, factor = _enlarged(frames)
    steps = len(boxes) if exit_step is None else min(int(exit_step), len(boxes))
    thickness = max(2, enlarged.shape[1] // 60)
    scale = max(1.0, enlarged.shape[1] / 200)
    rows = []
    if title:
        rows.append(_label_bar(enlarged.shape[2] * len(enlarged), [(title, (0, 0, 0))], scale))
    for step in range(steps + 1):
        drawn = enlarged.copy()
        for t in range(len(drawn)):
            if step == 0 and input_region is not None:
                x0, y0, x1, y1 = (
                    int(round(v * factor))
                    for v in (input_region[0], input_region[1], input_region[2] - 1, input_region[3] - 1)
                )
                cv2.rectangle(drawn[t], (x0, y0), (x1, y1), (255, 255, 255), max(1, thickness // 2))
            elif step > 0:
                dashed_rectangle(
                    drawn[t],
                    np.asarray(boxes[step - 1, t], dtype=np.float64) * factor,
                    STEP_COLORS[(step - 1) % len(STEP_COLORS)],
                    thickness,
                    dash=3 * thickness,
                )
        color = (0, 0, 0) if step == 0 else _dimmed(STEP_COLORS[(step - 1) % len(STEP_COLORS)])
        name = 'glance' if step == 0 else f'focus {step}'
        marker = '  <- exit' if exit_step is not None and step == steps else ''
        strip = np.concatenate(list(drawn), axis=1)
        # the caption above its own row, so it is never read as the next row's
        rows.append(_label_bar(strip.shape[1], [(f'step {step} ({name}): {step_texts[step]}{marker}', color)], scale))
        rows.append(strip)
    return np.concatenate(rows, axis=0)


def glimpse_animation(
    frames: np.ndarray, boxes: np.ndarray, step_predictions: Sequence[str], exit_step: int | None = None
) -> list[np.ndarray]:
    """Animation frames: for each step up to the exit, the clip's frames with that step's patch
    (dashed) and the step's prediction underneath."""
    images = []
    enlarged, factor = _enlarged(frames)
    thickness = max(2, enlarged.shape[1] // 60)
    scale = max(1.0, enlarged.shape[1] / 200)
    steps = len(boxes) if exit_step is None else min(int(exit_step), len(boxes))
    for step in range(steps + 1):
        for t, frame in enumerate(enlarged):
            frame = frame.copy()
            if step > 0:
                dashed_rectangle(
                    frame,
                    np.asarray(boxes[step - 1, t], dtype=np.float64) * factor,
                    STEP_COLORS[(step - 1) % len(STEP_COLORS)],
                    thickness,
                    dash=3 * thickness,
                )
            bar = _label_bar(frame.shape[1], [(f'step {step}', (0, 0, 0)), (step_predictions[step], (0, 0, 0))], scale)
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
        pictures[0].save(temporary, format='GIF', save_all=True, append_images=pictures[1:], duration=frame_ms, loop=0)


def plot_budget_curve(
    path: str,
    budget_points: Sequence[dict],
    anytime_points: Sequence[dict] = (),
    baseline: dict | None = None,
    title: str = '',
) -> None:
    """Top-1 accuracy against mean GMACs per clip: the early-exit budget curve, the anytime points
    (every clip runs ``k`` steps) and the baseline's point; written as PNG."""
    import matplotlib

    matplotlib.use('Agg')
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 4.2), dpi=120)

    def plot_top1(points: Sequence[dict], gmacs_key: str, style: str, **options) -> None:
        """Top-1 (%) of ``points`` against their ``gmacs_key``."""
        axes.plot([p[gmacs_key] for p in points], [100 * p['top1'] for p in points], style, **options)

    points = sorted(budget_points, key=lambda p: p['mean_gmacs'])
    plot_top1(points, 'mean_gmacs', 'o-', color='tab:blue', label='GFNet, early exit (budgets)')
    if anytime_points:
        plot_top1(anytime_points, 'gmacs', 's--', color='tab:orange', label='GFNet, fixed steps (0 = glance)')
        for point in anytime_points:
            axes.annotate(
                str(point['step']),
                (point['gmacs'], 100 * point['top1']),
                textcoords='offset points',
                xytext=(4, -10),
                fontsize=8,
                color='tab:orange',
            )
    if baseline:
        plot_top1([baseline], 'gmacs', '*', markersize=14, color='tab:red', label=baseline.get('name', 'TSM baseline'))
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


def save_glimpses(
    prefix: str,
    frames: np.ndarray,
    features: dict,
    classes: Sequence[str] | None = None,
    input_region: Sequence[float] | np.ndarray | None = None,
    true_label: int | None = None,
) -> tuple[str, str]:
    """Write ``<prefix>.png`` (:func:`glimpse_panels`) and ``<prefix>.gif`` (the animation) of one clip.

    ``frames`` are the sampled frames ``(T, H, W, 3)`` uint8 of the original video, with
    ``input_region`` the model input's box in them and ``features['boxes']`` the patches in
    video pixels; without ``input_region``, ``frames`` are the model-input frames and
    ``features['boxes_input']`` is drawn. ``features`` is what
    :func:`gfvideo.apis.extract_features` returns (``boxes``, ``boxes_input``, ``logits``,
    ``exit_step``).
    """
    logits = np.asarray(features['logits'], dtype=np.float64)
    probabilities = np.exp(logits - logits.max(-1, keepdims=True))
    probabilities /= probabilities.sum(-1, keepdims=True)

    def name(index: int) -> str:
        return classes[index] if classes else f'class {index}'

    texts = []
    for step_probabilities in probabilities:
        best = int(step_probabilities.argmax())
        texts.append(f'{name(best)} ({100 * step_probabilities[best]:.0f}%)')
    boxes = np.asarray(features['boxes'] if input_region is not None else features['boxes_input'])
    exit_step = int(features['exit_step'])
    title = '' if true_label is None else f'true class: {name(int(true_label))}'
    save_png(prefix + '.png', glimpse_panels(frames, boxes, texts, exit_step, input_region, title))
    save_gif(prefix + '.gif', glimpse_animation(frames, boxes, texts, exit_step))
    return prefix + '.png', prefix + '.gif'


def plot_curves(
    path: str, curves: Sequence[tuple[str, str, Sequence[float], Sequence[float]]], title: str = ''
) -> None:
    """One panel per curve ``(name, x label, xs, ys)``, stacked; written as PNG."""
    import matplotlib

    matplotlib.use('Agg')
    from matplotlib import pyplot as plt

    figure, panels = plt.subplots(len(curves), 1, figsize=(6, 2.4 * len(curves)), dpi=120, squeeze=False)
    for axes, (name, xlabel, xs, ys) in zip(panels[:, 0], curves):
        axes.plot(xs, ys, '.-' if len(xs) < 50 else '-', linewidth=1)
        axes.set_ylabel(name)
        axes.set_xlabel(xlabel)
        axes.grid(alpha=0.3)
    if title:
        panels[0, 0].set_title(title, fontsize=10)
    figure.tight_layout()
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format='png')
    plt.close(figure)
