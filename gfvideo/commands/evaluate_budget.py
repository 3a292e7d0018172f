"""Calibrate early-exit thresholds for compute budgets and evaluate them with the real runtime.

Examples::

    gfvideo evaluate-budget \\
        configs/recognition/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        CKPT --out work_dirs/budget
    gfvideo evaluate-budget CONFIG CKPT --out DIR --calib-list lists/calib.txt --budgets 0.5 1.0 \\
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
from gfvideo.engine.launch import add_data_root_argument
from gfvideo.evaluation import BudgetError, baseline_point, budget_curve, calibrate
from gfvideo.fileio import atomic_write_json
from gfvideo.progress import progress
from gfvideo.visualization import plot_budget_curve


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True, help='output folder')
    calibration = parser.add_mutually_exclusive_group()
    calibration.add_argument('--calib-list', help='list file of the calibration clips')
    calibration.add_argument(
        '--calib-size',
        type=int,
        default=200,
        help='without --calib-list: this many clips of the training list (seeded)',
    )
    parser.add_argument(
        '--budgets',
        type=float,
        nargs='+',
        default=[],
        help='target mean GMACs per clip; thresholds are solved exactly on the calibration set',
    )
    parser.add_argument('--num-points', type=int, default=10, help='budget-curve points (exit-proportion curves)')
    parser.add_argument('--baseline', nargs=2, metavar=('TSM_CONFIG', 'TSM_CKPT'), help='the full-frame baseline')
    parser.add_argument('--batch-size', type=int, help="evaluation batch size (default: the config's)")
    parser.add_argument('--workers', type=int, help="dataloader workers (default: the config's)")
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--seed', type=int, default=0, help='seed of the calibration slice')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    add_data_root_argument(parser)
    return parser.parse_args(argv)


def batches_progress(name: str):
    return lambda batches: progress(batches, desc=name, unit='batches')


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options, args.data_root)
    try:
        model = load_model(cfg, args.checkpoint, args.device)
        calibration = calibrate(
            model,
            calibration_loader(cfg, args.calib_list, args.calib_size, args.seed, args.batch_size, args.workers),
            args.budgets,
            batches_progress,
        )  # impossible budgets end it before any evaluation
    except (BudgetError, FileNotFoundError, ValueError, RuntimeError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    print(
        f'calibrated on {len(calibration.logits.labels)} clips; now the budget curve on the evaluation split '
        f'({args.num_points} points{", " + str(len(args.budgets)) + " budgets" if args.budgets else ""}'
        f'{", then the baseline" if args.baseline else ""})',
        flush=True,
    )
    curve = budget_curve(
        model,
        calibration,
        lambda: eval_loader(cfg, batch_size=args.batch_size, workers=args.workers),
        args.budgets,
        args.num_points,
        batches_progress,
    )
    baseline = None
    if args.baseline:
        baseline_cfg = load_config(args.baseline[0], args.cfg_options, args.data_root)
        baseline = baseline_point(
            load_model(baseline_cfg, args.baseline[1], args.device),
            eval_loader(baseline_cfg, batch_size=args.batch_size, workers=args.workers),
            batches_progress,
        )
    atomic_write_json(os.path.join(args.out, 'budget_curve.json'), curve.record(args.config, args.checkpoint, baseline))
    plot_budget_curve(
        os.path.join(args.out, 'budget_curve.png'),
        curve.points,
        curve.anytime,
        baseline,
        title=os.path.basename(args.config),
    )
    atomic_write_json(
        os.path.join(args.out, 'thresholds.json'), curve.thresholds_file(model.classes_hash, model.max_focus_steps)
    )
    print('budget points (mean GMACs per clip, top-1, clips exiting after steps 0..K):')
    for point in sorted(curve.points, key=lambda p: p['mean_gmacs']):
        print(
            f'{point["mean_gmacs"]:8.3f} GMACs  top1 {point["top1"]:.4f}  exits {point["exit_histogram"]}'
            + (f'  (budget {point["budget"]})' if point['budget'] is not None else '')
        )
    if baseline:
        print(f'baseline {baseline["gmacs"]:.3f} GMACs  top1 {baseline["top1"]:.4f}')
    for name in ('thresholds.json', 'budget_curve.json', 'budget_curve.png'):
        print(f'wrote {os.path.join(args.out, name)}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
