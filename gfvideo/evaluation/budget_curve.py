"""A budget curve: early-exit thresholds calibrated on held-out clips, evaluated with the real runtime.

:func:`calibrate` runs every step on the calibration clips (and refuses impossible budgets before
any evaluation); :func:`budget_curve` evaluates the anytime accuracy of each step, then the
thresholds of exit-proportion curves and of each requested budget, on one pass over the
evaluation clips; :func:`baseline_point` places a full-frame recognizer beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..models import TSM, GlanceFocusNet, recognizer_macs
from .adaptive import StepLogits, collect_scores, collect_step_logits, run_adaptive_many
from .budget import check_budget, curve_thresholds, exit_steps_for, mean_cost, solve_budget, thresholds_record
from .metrics import topk_accuracy

#: Wraps the batches of a named pass (``'calibration'``, ``'anytime'``, ``'budgets'``,
#: ``'baseline'``) in a progress report.
Progress = Callable[[str], Callable[[Iterable], Iterable]]


@dataclass(frozen=True)
class Calibration:
    """Every step's logits on the calibration clips and each step's cumulative GMACs per clip."""

    logits: StepLogits
    step_gmacs: list[float]


@dataclass(frozen=True)
class BudgetCurve:
    """Anytime accuracy per step and one point per set of thresholds (``budget`` None for the
    exit-proportion curves), each with its thresholds, its mean GMACs on the calibration clips
    and the early-exit run's summary on the evaluation clips."""

    step_gmacs: list[float]
    anytime: list[dict]
    points: list[dict]
    calibration_clips: int
    eval_clips: int

    def requested(self) -> list[dict]:
        """The points of the requested budgets, in the order asked."""
        return [point for point in self.points if point['budget'] is not None]

    def chosen(self) -> dict:
        """The point ``thresholds.json`` gets: the first requested budget's, else the point whose
        mean GMACs is nearest the middle of the glance-only and the all-steps cost."""
        requested = self.requested()
        middle = (self.step_gmacs[0] + self.step_gmacs[-1]) / 2
        return requested[0] if requested else min(self.points, key=lambda p: abs(p['mean_gmacs'] - middle))

    def thresholds_file(self, classes_hash: str | None, num_steps: int) -> dict:
        """The content of ``thresholds.json``: the chosen point's thresholds, tied to the model,
        with every requested budget's under ``budgets``."""
        chosen = self.chosen()
        budgets = [
            dict(budget_gmacs=p['budget'], thresholds=p['thresholds'], calib_gmacs=p['calib_gmacs'])
            for p in self.requested()
        ]
        return thresholds_record(
            chosen['thresholds'],
            classes_hash,
            num_steps,
            budget_gmacs=chosen['budget'],
            calib_gmacs=chosen['calib_gmacs'],
            budgets=budgets,
        )

    def record(self, config: str, checkpoint: str, baseline: dict | None) -> dict:
        """The content of ``budget_curve.json``."""
        return dict(
            config=config,
            checkpoint=checkpoint,
            step_gmacs=self.step_gmacs,
            anytime=self.anytime,
            points=self.points,
            baseline=baseline,
            calibration_clips=self.calibration_clips,
            eval_clips=self.eval_clips,
        )


def _no_progress(name: str) -> Callable[[Iterable], Iterable]:
    return lambda batches: batches


def calibrate(
    model: GlanceFocusNet, loader: Iterable[dict], budgets: Sequence[float] = (), progress: Progress = _no_progress
) -> Calibration:
    """Every step's logits on the calibration clips, with the model's per-step cost at their
    frame size; raises :class:`BudgetError` for a budget below the glance-only cost."""
    logits = collect_step_logits(model, loader, progress=progress('calibration'))
    step_gmacs = (model.step_macs(*logits.frame_shape) / 1e9).tolist()
    for budget in budgets:
        check_budget(budget, step_gmacs)
    return Calibration(logits, step_gmacs)


def budget_curve(
    model: GlanceFocusNet,
    calibration: Calibration,
    loader: Callable[[], Iterable[dict]],
    budgets: Sequence[float] = (),
    num_points: int = 10,
    progress: Progress = _no_progress,
) -> BudgetCurve:
    """The anytime accuracy of each step and the early-exit points of ``num_points``
    exit-proportion curves and of each budget (thresholds solved exactly on the calibration
    clips), on the clips of ``loader()`` (called once per pass)."""
    gmacs, confidences = calibration.step_gmacs, calibration.logits.confidences
    evaluation = collect_step_logits(model, loader(), progress=progress('anytime'))
    anytime = [
        dict(step=step, gmacs=gmacs[step], top1=topk_accuracy(evaluation.logits[step], evaluation.labels, 1))
        for step in range(len(gmacs))
    ]
    threshold_sets: list[tuple[float | None, np.ndarray]] = [
        (None, t) for t in curve_thresholds(confidences, num_points)
    ]
    correct = calibration.logits.logits.argmax(-1).T == calibration.logits.labels[:, None]  # (N, K+1)
    threshold_sets += [(budget, solve_budget(confidences, gmacs, budget, correct=correct)) for budget in budgets]
    runs = run_adaptive_many(model, loader(), [t for _, t in threshold_sets], progress=progress('budgets'))
    points = [
        dict(
            budget=budget,
            thresholds=thresholds.tolist(),
            calib_gmacs=mean_cost(exit_steps_for(confidences, thresholds), gmacs),
            **run.summary(model.max_focus_steps),
        )
        for (budget, thresholds), run in zip(threshold_sets, runs)
    ]
    return BudgetCurve(gmacs, anytime, points, len(calibration.logits.labels), len(evaluation.labels))


def baseline_point(model: TSM, loader: Iterable[dict], progress: Progress = _no_progress) -> dict:
    """Accuracy, time and GMACs per clip (counted on one clip of the loader's size) of a
    full-frame recognizer."""
    run = collect_scores(model, loader, progress=progress('baseline'))
    gmacs = recognizer_macs(model, *run.frame_shape) * run.views / 1e9
    return dict(name='TSM baseline (full frame)', gmacs=gmacs, **run.summary())
