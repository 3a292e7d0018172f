"""Calibrate early-exit thresholds for compute budgets and evaluate them with the real runtime.

Examples::

    python tools/evaluate_budget.py configs/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        CKPT --out work_dirs/budget
    python tools/evaluate_budget.py CONFIG CKPT --out DIR --calib-list lists/calib.txt --budgets 0.5 1.0 \\
        --baseline configs/recognition/tsm/tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py TSM_CKPT

Writes ``budget_curve.json`` (anytime points, one point per threshold set with its mean GMACs,
top-1/top-5/mean-class accuracy and exit histogram, the baseline), ``budget_curve.png`` and
``thresholds.json`` (the thresholds of the first requested budget, with the checkpoint's
class-list hash and step count; every requested budget is listed under ``budgets``).
"""
import argparse
import os
import sys

from mmengine.config import DictAction

from gfvideo.apis import calibration_loader, eval_loader, load_config, load_model
from gfvideo.evaluation import (BudgetError, check_budget, collect_scores, collect_step_logits, curve_thresholds,
                                exit_steps_for, mean_cost, run_adaptive_many, solve_budget, thresholds_record,
                                topk_accuracy)
from gfvideo.engine.launch import add_data_root_argument
from gfvideo.fileio import atomic_write_json
from gfvideo.models import recognizer_macs
from gfvideo.progress import progress
from gfvideo.visualization import plot_budget_curve


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, help='output folder')
    calibration = parser.add_mutually_exclusive_group()
    calibration.add_argument('--calib-list', help='list file of the calibration clips')
    calibration.add_argument('--calib-size', type=int, default=200,
                             help='without --calib-list: this many clips of the training list (seeded)')
    parser.add_argument('--budgets', type=float, nargs='+', default=[],
                        help='target mean GMACs per clip; thresholds are solved exactly on the calibration set')
    parser.add_argument('--num-points', type=int, default=10, help='budget-curve points (exit-proportion curves)')
    parser.add_argument('--baseline', nargs=2, metavar=('TSM_CONFIG', 'TSM_CKPT'), help='the full-frame baseline')
    parser.add_argument('--batch-size', type=int, help='evaluation batch size (default: the config\'s)')
    parser.add_argument('--workers', type=int, help='dataloader workers (default: the config\'s)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--seed', type=int, default=0, help='seed of the calibration slice')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    add_data_root_argument(parser)
    return parser.parse_args(argv)


def _progress(description: str):
    return lambda iterable: progress(iterable, desc=description, unit='batches')


def baseline_point(config: str, checkpoint: str, args: argparse.Namespace) -> dict:
    """Top-1 and GMACs per clip (counted on one clip of the loader's size) of the TSM baseline."""
    cfg = load_config(config, args.cfg_options, args.data_root)
    model = load_model(cfg, checkpoint, args.device)
    run = collect_scores(model, eval_loader(cfg, batch_size=args.batch_size, workers=args.workers),
                         progress=_progress('baseline'))
    gmacs = recognizer_macs(model, *run.frame_shape) * run.views / 1e9
    return dict(name='TSM baseline (full frame)', gmacs=gmacs, **run.summary())


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    try:
        model = load_model(cfg, args.checkpoint, args.device)
        calibration = collect_step_logits(model, calibration_loader(
            cfg, args.calib_list, args.calib_size, args.seed, args.batch_size, args.workers),
            progress=_progress('calibration'))
        gmacs = (model.step_macs(*calibration.frame_shape) / 1e9).tolist()
        for budget in args.budgets:  # before any evaluation runs
            check_budget(budget, gmacs)
    except (BudgetError, FileNotFoundError, ValueError, RuntimeError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)

    def loader():
        return eval_loader(cfg, batch_size=args.batch_size, workers=args.workers)

    evaluation = collect_step_logits(model, loader(), progress=_progress('anytime'))
    anytime = [dict(step=step, gmacs=gmacs[step], top1=topk_accuracy(evaluation.logits[step], evaluation.labels, 1))
               for step in range(len(gmacs))]
    threshold_sets = [(None, t) for t in curve_thresholds(calibration.confidences, args.num_points)]
    correct = calibration.logits.argmax(-1).T == calibration.labels[:, None]  # (N, K+1)
    threshold_sets += [(budget, solve_budget(calibration.confidences, gmacs, budget, correct=correct))
                       for budget in args.budgets]
    runs = run_adaptive_many(model, loader(), [t for _, t in threshold_sets], progress=_progress('budgets'))
    points = []
    for (budget, thresholds), run in zip(threshold_sets, runs):
        calib_gmacs = mean_cost(exit_steps_for(calibration.confidences, thresholds), gmacs)
        points.append(dict(budget=budget, thresholds=thresholds.tolist(), calib_gmacs=calib_gmacs,
                           **run.summary(model.max_focus_steps)))
    baseline = baseline_point(*args.baseline, args) if args.baseline else None
    curve = dict(config=args.config, checkpoint=args.checkpoint, step_gmacs=gmacs, anytime=anytime, points=points,
                 baseline=baseline, calibration_clips=len(calibration.labels), eval_clips=len(evaluation.labels))
    atomic_write_json(os.path.join(args.out, 'budget_curve.json'), curve)
    plot_budget_curve(os.path.join(args.out, 'budget_curve.png'), points, anytime, baseline,
                      title=os.path.basename(args.config))
    requested = [p for p in points if p['budget'] is not None]
    chosen = requested[0] if requested else min(points, key=lambda p: abs(p['mean_gmacs'] - (gmacs[0] + gmacs[-1]) / 2))
    atomic_write_json(os.path.join(args.out, 'thresholds.json'), thresholds_record(
        chosen['thresholds'], model.classes_hash, model.max_focus_steps, budget_gmacs=chosen['budget'],
        calib_gmacs=chosen['calib_gmacs'], budgets=[dict(budget_gmacs=p['budget'], thresholds=p['thresholds'],
                                                         calib_gmacs=p['calib_gmacs']) for p in requested]))
    for point in sorted(points, key=lambda p: p['mean_gmacs']):
        print(f"{point['mean_gmacs']:8.3f} GMACs  top1 {point['top1']:.4f}  exits {point['exit_histogram']}"
              + (f"  (budget {point['budget']})" if point['budget'] is not None else ''))
    if baseline:
        print(f"baseline {baseline['gmacs']:.3f} GMACs  top1 {baseline['top1']:.4f}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
