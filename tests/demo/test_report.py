"""The demo's headline numbers: the cheapest budget point matching the baseline, and the ratios."""

import os

import pytest

from gfvideo.demo.curve import best_point, matched_point
from gfvideo.demo.recipes import RECIPES
from gfvideo.demo.report import (
    attribute_table,
    closest_heuristic,
    follow_up_commands,
    headline,
    print_headline,
    retry_sentences,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TIMING = dict(baseline=dict(median_ms=10.0), gfnet=dict(median_ms=4.0))
POLICIES = [dict(focus_steps=1, learned_top1=0.9, learned_hit=0.8)]
CONTROL = dict(top1=0.4, gmacs_per_clip=0.21, input_size=44, checkpoint='x.pth')


def curve(baseline_top1: float) -> dict:
    points = [
        dict(mean_gmacs=0.3, top1=0.95, thresholds=[0.1]),
        dict(mean_gmacs=0.1, top1=0.80, thresholds=[0.9]),
        dict(mean_gmacs=0.2, top1=0.90, thresholds=[0.5]),
        dict(mean_gmacs=0.25, top1=0.95, thresholds=[0.3]),
    ]
    return dict(
        points=points,
        baseline=dict(top1=baseline_top1, gmacs=1.0),
        eval_clips=16,
        anytime=[dict(step=0, gmacs=0.05, top1=0.5)],
    )


def test_the_matched_point_is_the_cheapest_that_reaches_the_baseline():
    assert matched_point(curve(0.85))['mean_gmacs'] == 0.2
    assert matched_point(curve(0.99)) is None
    assert matched_point(curve(0.955))['mean_gmacs'] == 0.25  # half a point below still reaches it
    assert matched_point(curve(0.906))['mean_gmacs'] == 0.25  # 0.90 is 0.6 points below: not reached
    assert best_point(curve(0.85))['mean_gmacs'] == 0.25  # the cheaper of the two most accurate


def test_the_headline_ratios_come_from_the_matched_point():
    results = headline(curve(0.85), POLICIES, TIMING, CONTROL, seed=1, benchmark='busy', quick=False)
    assert results['benchmark'] == 'busy' and results['quick'] is False
    assert results['equal_compute_static'] == dict(top1=0.4, gmacs_per_clip=0.21, input_size=44)
    assert results['seed'] == 1 and results['num_val_clips'] == 16 and results['glance_top1'] == 0.5
    assert results['gfnet_matched'] == dict(top1=0.90, gmacs_per_clip=0.2, thresholds=[0.5], cpu_ms_per_clip=4.0)
    assert results['gmacs_ratio'] == pytest.approx(0.2) and results['time_ratio'] == pytest.approx(0.4)
    assert results['gfnet_best'] == dict(top1=0.95, gmacs_per_clip=0.25)


def test_without_a_matched_point_there_are_no_ratios(capsys):
    results = headline(curve(0.99), POLICIES, TIMING, CONTROL, seed=0, benchmark='static', quick=True)
    assert results['gfnet_matched'] is None and results['gmacs_ratio'] is None and results['time_ratio'] is None
    print_headline(results)
    out = capsys.readouterr().out
    assert 'GFNet early exit, matched' not in out and 'GMACs ratio -, time ratio -' in out
    assert 'learned 90.0% (0.800)' in out and 'random - (-)' in out
    assert 'TSM at 44 px (equal GMACs)' in out and 'these numbers mean nothing' in out


def test_the_results_and_the_report_say_which_stage_was_trained_again(capsys):
    rule = dict(metric='top1', below=0.36)
    stages = [
        dict(
            stage=1,
            stage_retry=rule,
            runs=[
                dict(work_dir='/w/stage1', score=0.2475, checkpoint='/w/stage1/epoch_7.pth'),
                dict(work_dir='/w/stage1-retry1', score=0.4875, checkpoint='/w/stage1-retry1/epoch_7.pth'),
            ],
            chosen='/w/stage1-retry1',
        ),
        dict(
            stage=2, stage_retry=None, runs=[dict(work_dir='/w/stage2', score=None, checkpoint='c')], chosen='/w/stage2'
        ),
    ]
    results = headline(curve(0.85), POLICIES, TIMING, CONTROL, seed=5, benchmark='busy', quick=False, stages=stages)
    assert results['stage_runs'][0] == dict(
        stage=1,
        stage_retry=rule,
        runs=[dict(run='stage1', score=0.2475), dict(run='stage1-retry1', score=0.4875)],
        chosen='stage1-retry1',
    )
    assert results['stage_runs'][1]['runs'] == [dict(run='stage2', score=None)]
    (sentence,) = retry_sentences(results['stage_runs'])  # stage 2 has no rule: nothing to say
    assert 'Stage 1 ended under its retry threshold (validation top1 0.36)' in sentence
    assert sentence.endswith('stage1 0.2475, stage1-retry1 0.4875; stage 2 started from stage1-retry1.')
    print_headline(results)
    assert sentence in capsys.readouterr().out
    once = dict(stages[0], runs=stages[0]['runs'][1:], chosen='/w/stage1-retry1')
    (sentence,) = retry_sentences(
        headline(curve(0.85), POLICIES, TIMING, CONTROL, 5, 'busy', False, [once])['stage_runs']
    )
    assert sentence == 'Stage 1 ended at validation top1 0.4875, at or over its retry threshold 0.36: trained once.'
    assert headline(curve(0.85), POLICIES, TIMING, CONTROL, 5, 'busy', False)['stage_runs'] is None  # an older run's
    assert retry_sentences(None) == []


def test_the_report_names_the_heuristic_closest_to_the_policy():
    row = dict(learned_top1=0.9, random_top1=0.3, center_top1=0.2, motion_top1=0.55, compensated_motion_top1=0.6)
    sentence = closest_heuristic(row)
    assert 'camera-compensated motion peak' in sentence and '+30.0 points for the policy' in sentence


def test_the_report_splits_each_source_into_identity_and_direction():
    row = dict(focus_steps=1, glance_identity_top1=0.25, glance_direction_top1=0.84)
    row.update(learned_identity_top1=0.98, learned_direction_top1=0.945, oracle_identity_top1=0.99)
    lines = attribute_table([row, dict(row, focus_steps=2, learned_direction_top1=0.95)])
    assert '(the glance alone: 25.0% / 84.0%)' in lines[1]
    assert lines[-2].startswith('| 1 | 98.0% / 94.5% | - / - |') and '| 99.0% / - |' in lines[-2]
    assert lines[-1].startswith('| 2 | 98.0% / 95.0% |')
    assert attribute_table(POLICIES) == []  # rows of an earlier run, without the split


def test_the_equal_compute_control_runs_the_baseline_at_the_closest_cost():
    from gfvideo.demo.pipeline import equal_compute_size
    from gfvideo.models import recognizer_macs
    from gfvideo.registry import MODELS

    model_cfg = dict(type='TSM', backbone=dict(name='resnet18', num_segments=2, width_mult=0.25), num_classes=4)
    full = recognizer_macs(MODELS.build(model_cfg), 64, 64) / 1e9
    size, gmacs = equal_compute_size(model_cfg, full / 4, 64)
    assert size == 32 and abs(gmacs - full / 4) <= 0.15 * full / 4  # a quarter of the cost: half the side
    assert equal_compute_size(model_cfg, full, 64)[0] == 64


def test_the_readme_gives_the_same_follow_up_commands_as_the_report():
    readme = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    commands = follow_up_commands('work_dirs/demo', 'work_dirs/demo/data', RECIPES['busy'])
    assert '\n'.join(commands) in readme
    # the budget the README calibrates goes to its own folder; the others read the demo's thresholds
    assert commands[1].endswith('--out work_dirs/demo/budget_0.05')
    recognize = [c for c in commands if c.startswith('gfvideo recognize gfnet_stage4')]
    assert recognize and all('--thresholds work_dirs/demo/budget/thresholds.json' in c for c in recognize)
    assert any(c.startswith('gfvideo recognize work_dirs/demo/export ') for c in commands)  # the export's own
    assert all(c.startswith(('# ', 'gfvideo ')) for c in commands)
    retried = follow_up_commands(
        'work_dirs/demo', 'work_dirs/demo/data', RECIPES['busy'], 'work_dirs/demo/train/x-retry1'
    )
    assert commands[1].replace('train/tsm_baseline ', 'train/x-retry1 ') == retried[1]  # the baseline that went on
