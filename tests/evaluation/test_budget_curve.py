"""A budget curve built in-process on a tiny untrained GlanceFocusNet and the synthetic clips."""

import os

import numpy as np
import pytest
import torch

from gfvideo.apis import eval_loader, load_config
from gfvideo.evaluation import (
    BudgetCurve,
    BudgetError,
    baseline_point,
    budget_curve,
    calibrate,
    collect_step_logits,
    topk_accuracy,
)
from gfvideo.registry import MODELS
from tests.cli.train_helpers import CONFIGS, data_options


def tiny(root: str, name: str):
    """The tiny config on the synthetic clips and its model, untrained."""
    cfg = load_config(os.path.join(CONFIGS, f'{name}.py'), dict(option.split('=', 1) for option in data_options(root)))
    torch.manual_seed(0)
    return cfg, MODELS.build(cfg.model).eval()


@pytest.fixture(scope='module')
def gfnet(synthetic):
    return tiny(synthetic('sthv2'), 'gfnet_tiny-stage1')


def test_points_follow_their_exit_histograms_and_the_budget_holds_on_the_calibration_clips(gfnet):
    cfg, model = gfnet
    passes = []

    def progress(name):
        passes.append(name)
        return lambda batches: batches

    glance_only = model.step_macs(64, 64)[0].item() / 1e9
    budget = glance_only * 1.5
    calibration = calibrate(model, eval_loader(cfg, batch_size=3), [budget], progress)
    curve = budget_curve(model, calibration, lambda: eval_loader(cfg, batch_size=3), [budget], 4, progress)
    assert passes == ['calibration', 'anytime', 'budgets']
    gmacs = curve.step_gmacs
    assert len(gmacs) == 3 and gmacs == sorted(gmacs) and gmacs[0] == pytest.approx(glance_only)
    assert curve.eval_clips == curve.calibration_clips == 8
    every_step = collect_step_logits(model, eval_loader(cfg, batch_size=4))
    assert [point['top1'] for point in curve.anytime] == [
        topk_accuracy(every_step.logits[k], every_step.labels, 1) for k in range(3)
    ]
    for point in curve.points:
        histogram = np.array(point['exit_histogram'])
        assert histogram.sum() == 8
        assert point['mean_gmacs'] == pytest.approx(float(histogram @ np.array(gmacs)) / 8, rel=1e-6)
    (requested,) = curve.requested()
    assert requested is curve.points[-1] and requested['budget'] == budget
    assert requested['calib_gmacs'] <= budget  # on the calibration clips, which are the evaluation clips here
    assert requested['mean_gmacs'] == pytest.approx(requested['calib_gmacs'])
    record = curve.thresholds_file('abc', 2)
    assert record['thresholds'] == requested['thresholds'] and record['budget_gmacs'] == budget
    assert record['budgets'] == [
        dict(budget_gmacs=budget, thresholds=requested['thresholds'], calib_gmacs=requested['calib_gmacs'])
    ]
    assert list(curve.record('c.py', 'k.pth', None)) == [
        'config',
        'checkpoint',
        'step_gmacs',
        'anytime',
        'points',
        'baseline',
        'calibration_clips',
        'eval_clips',
    ]


def test_a_budget_below_the_glance_cost_is_refused_by_the_calibration(gfnet):
    cfg, model = gfnet
    with pytest.raises(BudgetError, match='below the glance-only cost'):
        calibrate(model, eval_loader(cfg, batch_size=4), [1e-7])


def test_without_budgets_the_thresholds_file_takes_the_point_nearest_the_middle_cost():
    points = [
        dict(budget=None, thresholds=[t], calib_gmacs=c, mean_gmacs=c) for t, c in ((0.1, 1.2), (0.5, 2.2), (0.9, 2.9))
    ]
    curve = BudgetCurve([1.0, 3.0], [], points, 10, 10)
    assert curve.requested() == [] and curve.chosen() is points[1]  # nearest 2.0
    record = curve.thresholds_file(None, 1)
    assert record['thresholds'] == [0.5] and record['budget_gmacs'] is None and record['budgets'] == []


def test_the_baseline_point_counts_every_view_of_a_clip(synthetic):
    cfg, model = tiny(synthetic('sthv2'), 'tsm_tiny')
    one_view = baseline_point(model, eval_loader(cfg, batch_size=4))
    assert one_view['name'] == 'TSM baseline (full frame)' and one_view['num_clips'] == 8
    assert 0 <= one_view['top1'] <= one_view['top5'] <= 1 and one_view['gmacs'] > 0
    for transform in cfg.test_dataloader.dataset.pipeline:
        if transform.type == 'SampleFrames':
            transform.num_clips = 2
    two_views = baseline_point(model, eval_loader(cfg, batch_size=4))
    assert two_views['gmacs'] == pytest.approx(2 * one_view['gmacs'])
