"""Exit rules, MSDNet-style thresholds, the budget solver and the thresholds file."""

import json
import re

import numpy as np
import pytest

from gfvideo.evaluation import (
    NEVER_EXIT,
    BudgetError,
    curve_thresholds,
    exit_proportions,
    exit_steps_for,
    mean_cost,
    read_thresholds,
    replay_exits,
    solve_budget,
    thresholds_for_proportions,
    thresholds_record,
)
from gfvideo.evaluation.budget import check_thresholds

GMACS = [0.1, 0.6, 1.1, 1.6]


def calibration(count=400, seed=0):
    """Confidences that rise with the steps, as a trained anytime model's do."""
    rng = np.random.default_rng(seed)
    base = rng.uniform(0.1, 0.9, size=(count, 1))
    return np.clip(base + np.array([0.0, 0.05, 0.1, 0.15]) + rng.normal(0, 0.03, size=(count, 4)), 0, 1)


def test_exit_steps_take_the_first_confident_step_and_the_last_always():
    confidences = np.array([[0.9, 0.1, 0.1, 0.1], [0.2, 0.8, 0.1, 0.1], [0.2, 0.2, 0.2, 0.2], [0.5, 0.5, 0.95, 0.1]])
    assert exit_steps_for(confidences, [0.85, 0.75, 0.9]).tolist() == [0, 1, 3, 2]
    assert exit_steps_for(confidences, [NEVER_EXIT] * 3).tolist() == [3, 3, 3, 3]
    with pytest.raises(ValueError, match='expected 3 thresholds'):
        exit_steps_for(confidences, [0.5, 0.5])


def test_thresholds_reproduce_the_exit_proportions_on_the_calibration_set():
    confidences = calibration()
    for q in (0.3, 1.0, 4.0):
        proportions = exit_proportions(q, 4)
        assert proportions.sum() == pytest.approx(1.0) and np.all(np.diff(proportions) * (q - 1) >= -1e-12)
        exits = exit_steps_for(confidences, thresholds_for_proportions(confidences, proportions))
        observed = np.bincount(exits, minlength=4) / len(exits)
        assert np.abs(observed - proportions).max() <= 0.01


def test_solver_meets_the_budget_tightly_and_refuses_impossible_ones():
    confidences = calibration()
    for budget in (0.3, 0.8, 1.3):
        spent = mean_cost(exit_steps_for(confidences, solve_budget(confidences, GMACS, budget)), GMACS)
        assert spent <= budget and budget - spent < 0.02
    assert solve_budget(confidences, GMACS, 5.0).tolist() == [NEVER_EXIT] * 3
    with pytest.raises(BudgetError, match='below the glance-only cost'):
        solve_budget(confidences, GMACS, 0.05)


def test_curve_spans_the_costs_and_every_first_exit_step():
    confidences = calibration()
    curve = curve_thresholds(confidences, 8)
    exits = [exit_steps_for(confidences, t) for t in curve]
    costs = [mean_cost(e, GMACS) for e in exits]
    assert len(curve) >= 12 and min(costs) < 0.5 and max(costs) > 1.3
    assert costs[:8] == sorted(costs[:8])  # exits from the glance on: dearer with q
    for first in (1, 2):  # points where nobody leaves before step `first` and many leave there
        assert any((e >= first).all() and (e == first).mean() > 0.5 for e in exits), first


def test_solver_skips_a_glance_that_cannot_decide_when_told_what_is_correct():
    """A glance that is confident and wrong: with the calibration clips' correctness the solver
    starts exits at step 1 and is more accurate for the same budget."""
    rng = np.random.default_rng(0)
    confidences = np.column_stack([rng.uniform(0.3, 1.0, 400), rng.uniform(0.5, 1.0, (400, 3))])
    correct = np.column_stack([rng.random(400) < 0.25, np.ones((400, 3), bool)])  # the glance is right 1 in 4
    gmacs = [0.1, 0.3, 0.5, 0.7]
    rows = np.arange(400)
    plain = exit_steps_for(confidences, solve_budget(confidences, gmacs, 0.35))
    informed = exit_steps_for(confidences, solve_budget(confidences, gmacs, 0.35, correct=correct))
    assert mean_cost(informed, gmacs) <= 0.35 and (informed >= 1).all()
    assert correct[rows, informed].mean() == 1.0 > correct[rows, plain].mean()
    with pytest.raises(ValueError, match='first_step'):
        exit_proportions(1.0, 4, first_step=4)


def test_replay_of_logits_applies_the_rule_to_float32_softmax():
    logits = np.zeros((3, 2, 4), np.float32)
    logits[0, 0, 1] = 5.0  # clip 0 confident at the glance
    logits[2, 1, 3] = 4.0  # clip 1 only at the last step
    replay = replay_exits(logits, [0.9, 0.9])
    assert replay.exit_steps.tolist() == [0, 2] and replay.predictions.tolist() == [1, 3]
    assert replay.confidences[0] == pytest.approx(np.exp(5) / (np.exp(5) + 3), rel=1e-6)


def test_thresholds_file_is_tied_to_the_class_list_and_step_count(tmp_path):
    path = tmp_path / 'thresholds.json'
    path.write_text(json.dumps(thresholds_record([0.9, 0.8], 'abc', 2, budget_gmacs=1.0)))
    assert read_thresholds(str(path), 'abc', 2) == [0.9, 0.8]
    with pytest.raises(BudgetError, match='another class list'):
        read_thresholds(str(path), 'def', 2)
    with pytest.raises(BudgetError, match='2 focus steps; this model has 3'):
        read_thresholds(str(path), 'abc', 3)
    path.write_text('{"thresholds": ')
    with pytest.raises(BudgetError, match='not a readable thresholds file'):
        read_thresholds(str(path), 'abc', 2)


@pytest.mark.parametrize(
    'text',
    [
        '[NaN, 0.8]',
        '[0.9, Infinity]',
        '[1.5, 0.8]',
        '[-0.1, 0.8]',
        '["0.9", 0.8]',
        '[true, 0.8]',
        '[null, 0.8]',
        '"0.9 0.8"',
        '{"a": 1}',
    ],
)
def test_bad_threshold_values_are_refused(tmp_path, text):
    path = tmp_path / 'thresholds.json'
    path.write_text(f'{{"thresholds": {text}, "classes_hash": "abc", "num_steps": 2}}')
    with pytest.raises(
        BudgetError,
        match=re.escape(str(path)) + r': (threshold [01] is .* expected a number in '
        r'\[0, 1\]|not a readable thresholds file)',
    ):
        read_thresholds(str(path), 'abc', 2)
    path.write_text(json.dumps(thresholds_record([0.5, NEVER_EXIT], 'abc', 2)))
    assert read_thresholds(str(path), 'abc', 2) == [0.5, NEVER_EXIT]


@pytest.mark.parametrize('values', [[float('nan'), 0.5], [-1.0, 5.0], [0.5], ['0.5', 0.5], [True, 0.5], '0.5 0.5'])
def test_thresholds_from_python_are_checked_as_a_file_is(values):
    with pytest.raises(BudgetError, match='given thresholds'):
        check_thresholds(values, 2, 'the given thresholds')


def test_a_thresholds_file_without_a_class_list_hash_is_refused_for_a_model_with_one(tmp_path):
    path = tmp_path / 'thresholds.json'
    path.write_text(json.dumps({'thresholds': [0.5, 0.5], 'num_steps': 2}))
    with pytest.raises(BudgetError, match='no classes_hash'):
        read_thresholds(str(path), 'abc', 2)
    assert read_thresholds(str(path), None, 2) == [0.5, 0.5]  # a model without a class list: nothing to check
