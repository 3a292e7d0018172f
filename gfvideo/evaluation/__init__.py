"""Evaluation: accuracy metrics, early-exit budgets and the runs that feed them."""
from .adaptive import (AdaptiveRun, ClipRecord, ScoredRun, StepLogits, collect_scores, collect_step_logits,
                       collect_step_logits_many, gather_adaptive_run, run_adaptive, run_adaptive_many)
from .budget import (NEVER_EXIT, BudgetError, ExitReplay, check_budget, curve_thresholds, exit_proportions,
                     exit_steps_for, mean_cost, read_thresholds, replay_exits, solve_budget, thresholds_for_proportions,
                     thresholds_record)
from .budget_curve import BudgetCurve, Calibration, baseline_point, budget_curve, calibrate
from .localization import (clip_actor_centres, compare_locations, patch_hits, read_actor_boxes, step_hit_rates,
                           video_key)
from .metrics import AccuracyMetric, confusion_matrix, mean_class_accuracy, topk_accuracy
from .timing import Timing, interleaved_timings, synchronize

__all__ = ['AdaptiveRun', 'ClipRecord', 'ScoredRun', 'StepLogits', 'collect_scores', 'collect_step_logits',
           'collect_step_logits_many', 'gather_adaptive_run', 'run_adaptive', 'run_adaptive_many', 'NEVER_EXIT',
           'BudgetError', 'ExitReplay', 'check_budget', 'curve_thresholds', 'exit_proportions', 'exit_steps_for',
           'mean_cost', 'read_thresholds', 'replay_exits', 'solve_budget', 'thresholds_for_proportions',
           'thresholds_record', 'BudgetCurve', 'Calibration', 'baseline_point', 'budget_curve', 'calibrate',
           'AccuracyMetric', 'confusion_matrix', 'mean_class_accuracy', 'topk_accuracy', 'clip_actor_centres',
           'compare_locations', 'patch_hits', 'read_actor_boxes', 'step_hit_rates', 'video_key', 'Timing',
           'interleaved_timings', 'synchronize']
