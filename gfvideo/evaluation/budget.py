"""Budgeted early exit: exit rules replayed on saved confidences, and thresholds for a budget.

Thresholds follow MSDNet's recipe: for exit proportions ``p_k`` proportional to ``q**k`` over
the ``K+1`` steps, walk the calibration clips step by step and let the ``p_k`` share that is
most confident at step ``k`` leave there; the confidence of the last clip let out is step
``k``'s threshold. A larger ``q`` moves exits later and costs more, so one budget maps to one
``q`` (found by bisection on the calibration set's mean GMACs).

The proportions may also start at a later step (``first_step``: nobody exits before it). A glance
that cannot decide on its own (its confidence says little) is skipped this way instead of
letting its most confident, often wrong, clips leave; given the calibration clips' correctness,
the solver picks the first step whose thresholds are the most accurate within the budget.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..exit_rule import NEVER_EXIT, THRESHOLDS_NOTE, BudgetError, check_thresholds, exits


@dataclass(frozen=True)
class ExitReplay:
    """What the early-exit rule gives for clips whose per-step logits are known."""

    predictions: np.ndarray  # (N,)
    confidences: np.ndarray  # (N,) max probability at the exit step
    exit_steps: np.ndarray  # (N,)


def exit_steps_for(confidences: np.ndarray, thresholds) -> np.ndarray:
    """First step ``k < K`` whose confidence reaches ``thresholds[k]``, else ``K``.

    ``confidences`` is ``(N, K+1)``: each clip's max softmax probability after every step.
    """
    thresholds = np.asarray(thresholds, dtype=np.float64)
    steps = confidences.shape[1] - 1
    if thresholds.shape != (steps,):
        raise ValueError(f'expected {steps} thresholds for {steps + 1} steps, got {thresholds.shape[0]}')
    reached = np.concatenate([exits(confidences[:, :steps], thresholds), np.ones((len(confidences), 1), bool)], axis=1)
    return reached.argmax(axis=1)


def replay_exits(step_logits: np.ndarray, thresholds) -> ExitReplay:
    """The early-exit outcome from saved per-step logits ``(K+1, N, classes)``.

    Probabilities come from the same float32 ``torch`` softmax as the runtime's, so replay and
    :meth:`GlanceFocusNet.forward_adaptive` agree on every exit decision for the same logits.
    """
    probabilities = torch.from_numpy(np.ascontiguousarray(step_logits, dtype=np.float32)).softmax(-1).numpy()
    confidences = probabilities.max(axis=-1).T  # (N, K+1)
    exits = exit_steps_for(confidences, thresholds)
    rows = np.arange(len(exits))
    return ExitReplay(probabilities[exits, rows].argmax(-1), confidences[rows, exits], exits)


def exit_proportions(q: float, num_steps: int, first_step: int = 0) -> np.ndarray:
    """MSDNet's exit proportions: ``p_k`` proportional to ``q**(k - first_step)`` for
    ``k = first_step..num_steps-1``, zero before ``first_step``."""
    if not 0 <= first_step < num_steps:
        raise ValueError(f'first_step must be in [0, {num_steps - 1}], got {first_step}')
    weights = np.zeros(num_steps, dtype=np.float64)
    weights[first_step:] = q ** np.arange(num_steps - first_step, dtype=np.float64)
    return weights / weights.sum()


def thresholds_for_proportions(confidences: np.ndarray, proportions: np.ndarray) -> np.ndarray:
    """Thresholds that let ``proportions[k]`` of the calibration clips exit at step ``k``.

    ``confidences`` is ``(N, K+1)``; returns ``(K,)`` thresholds (:data:`NEVER_EXIT` where no
    clip should leave). The last step takes whoever is left.
    """
    count, steps = confidences.shape[0], confidences.shape[1] - 1
    remaining = np.ones(count, dtype=bool)
    thresholds = np.full(steps, NEVER_EXIT)
    for step in range(steps):
        quota = int(round(proportions[step] * count))
        candidates = np.flatnonzero(remaining)
        if quota <= 0 or len(candidates) == 0:
            continue
        order = candidates[np.argsort(-confidences[candidates, step], kind='stable')]
        leaving = order[: min(quota, len(order))]
        thresholds[step] = confidences[leaving[-1], step]
        remaining &= ~exits(confidences[:, step], thresholds[step])
    return thresholds


def mean_cost(exit_steps: np.ndarray, cumulative_gmacs) -> float:
    """Mean GMACs per clip for the given exit steps."""
    return float(np.asarray(cumulative_gmacs, dtype=np.float64)[exit_steps].mean())


def check_budget(budget: float, cumulative_gmacs) -> None:
    """Raise :class:`BudgetError` for a budget below the glance-only cost (step 0)."""
    if budget < cumulative_gmacs[0]:
        raise BudgetError(f'budget {budget:.4f} GMACs is below the glance-only cost {cumulative_gmacs[0]:.4f} GMACs')


def solve_budget(
    confidences: np.ndarray, cumulative_gmacs, budget: float, iterations: int = 60, correct: np.ndarray | None = None
) -> np.ndarray:
    """Thresholds whose mean GMACs on the calibration clips is the largest not above ``budget``.

    Bisection on ``log q``; raises :class:`BudgetError` below the glance-only cost. With
    ``correct`` (``(N, K+1)``: whether each calibration clip's prediction after each step is
    right), every first exit step that fits the budget is solved and the thresholds with the
    highest calibration accuracy win (the cheaper on a tie); without it, exits start at step 0.
    """
    cumulative_gmacs = np.asarray(cumulative_gmacs, dtype=np.float64)
    check_budget(budget, cumulative_gmacs)
    steps = confidences.shape[1]
    never = np.full(steps - 1, NEVER_EXIT)
    if mean_cost(exit_steps_for(confidences, never), cumulative_gmacs) <= budget:
        return never
    first_steps = range(steps - 1) if correct is not None else [0]
    solutions = [
        _solve_from(confidences, cumulative_gmacs, budget, first, iterations)
        for first in first_steps
        if cumulative_gmacs[first] <= budget
    ]
    if correct is None or len(solutions) == 1:
        return solutions[0]
    rows = np.arange(len(correct))

    def score(thresholds: np.ndarray) -> tuple[float, float]:
        exits = exit_steps_for(confidences, thresholds)
        return float(correct[rows, exits].mean()), -mean_cost(exits, cumulative_gmacs)

    return max(solutions, key=score)


def _solve_from(
    confidences: np.ndarray, cumulative_gmacs: np.ndarray, budget: float, first_step: int, iterations: int
) -> np.ndarray:
    """Bisection on ``log q`` for exits that start at ``first_step``."""
    steps = confidences.shape[1]

    def thresholds_for(log_q: float) -> np.ndarray:
        return thresholds_for_proportions(confidences, exit_proportions(float(np.exp(log_q)), steps, first_step))

    low, high = -20.0, 20.0
    best = thresholds_for(low)
    for _ in range(iterations):
        middle = (low + high) / 2
        thresholds = thresholds_for(middle)
        if mean_cost(exit_steps_for(confidences, thresholds), cumulative_gmacs) <= budget:
            low, best = middle, thresholds
        else:
            high = middle
    return best


def curve_thresholds(
    confidences: np.ndarray, num_points: int = 12, q_range: tuple[float, float] = (0.05, 20.0)
) -> list[np.ndarray]:
    """Thresholds for ``num_points`` exit-proportion curves ``q`` spread log-uniformly over
    ``q_range``, for every first exit step: the points of a budget curve (duplicates removed)."""
    seen, curve = set(), []
    steps = confidences.shape[1]
    for first_step in range(steps - 1):
        for q in np.geomspace(*q_range, num_points):
            thresholds = thresholds_for_proportions(confidences, exit_proportions(q, steps, first_step))
            key = tuple(np.round(thresholds, 12))
            if key not in seen:
                seen.add(key)
                curve.append(thresholds)
    return curve


def thresholds_record(thresholds, classes_hash: str | None, num_steps: int, **extra) -> dict:
    """The content of ``thresholds.json``: thresholds tied to a class list and a step count, with
    a note that says how to read them."""
    values = check_thresholds(thresholds, num_steps, 'thresholds')
    return dict(
        thresholds=values,
        classes_hash=classes_hash,
        num_steps=int(num_steps),
        never_exit=NEVER_EXIT,
        note=THRESHOLDS_NOTE,
        **extra,
    )
