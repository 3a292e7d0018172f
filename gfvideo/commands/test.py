"""Evaluate a checkpoint with a config's test dataloader and metrics (mmaction2 1.x's command line).

Without ``--adaptive`` the Runner evaluates with the config's test protocol (e.g. ``num_clips``
x 1 or 3 crops, probabilities averaged over views), prints top-1/top-5/mean-class accuracy
(and each step's for GlanceFocusNet) and writes ``confusion_matrix.csv`` to the work dir. With
``--adaptive thresholds.json`` a GlanceFocusNet runs the real early-exit runtime on one view
per clip; ``--per-clip`` writes a CSV row per clip (path, label, prediction, confidence, exit
step, GMACs, and the measured latency at ``--batch-size 1``; at larger batches the batch's time
and size instead). Timing starts after an untimed warm-up batch; the summary gives the median
time per clip with its 25th/75th percentiles.

Examples::

    gfvideo test configs/recognition/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        work_dirs/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb/epoch_5.pth
    gfvideo test CONFIG CKPT --adaptive work_dirs/budget/thresholds.json --per-clip clips.csv
    torchrun --nproc_per_node 2 tools/test.py CONFIG CKPT --launcher pytorch --dump results.pkl
"""

import argparse
import json
import os
import sys
from typing import Any

import torch
import torch.distributed as dist

from gfvideo.apis import eval_loader, load_model
from gfvideo.classes import AnnotationError
from gfvideo.data import VideoReadError
from gfvideo.engine import GFRunner
from gfvideo.engine.config_checks import ConfigError, check_config
from gfvideo.engine.launch import add_runner_arguments, config_from_args, finish_distributed, init_distributed
from gfvideo.engine.runner import check_class_list
from gfvideo.evaluation import BudgetError, gather_adaptive_run, read_thresholds, run_adaptive
from gfvideo.fileio import atomic_write_csv
from gfvideo.models import CheckpointError, without_init_weights
from gfvideo.progress import progress


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--dump', help='also write every prediction to this pickle file')
    parser.add_argument('--adaptive', metavar='THRESHOLDS_JSON', help='early exit with these thresholds')
    parser.add_argument('--per-clip', metavar='CSV', help='with --adaptive: one row per clip')
    parser.add_argument(
        '--batch-size', type=int, default=1, help='with --adaptive: clips per batch (1 = latency measured per clip)'
    )
    parser.add_argument('--device', default=None, help='with --adaptive: cpu or cuda (default: cuda if available)')
    add_runner_arguments(parser)
    return parser.parse_args(argv)


def test_adaptive(args: argparse.Namespace, cfg) -> int:
    """Early-exit evaluation; each process takes every world_size-th clip, rank 0 reports."""
    rank, world_size = (dist.get_rank(), dist.get_world_size()) if dist.is_initialized() else (0, 1)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = load_model(cfg, args.checkpoint, device)
    if not hasattr(model, 'forward_adaptive'):
        raise ConfigError(f'--adaptive needs a GlanceFocusNet; the config builds {type(model).__name__}')
    thresholds = read_thresholds(args.adaptive, model.classes_hash, model.max_focus_steps)
    loader = eval_loader(cfg, batch_size=args.batch_size, rank=rank, world_size=world_size)
    dataset: Any = getattr(loader.dataset, 'dataset', loader.dataset)  # under a Subset when distributed
    check_class_list(args.checkpoint, model.classes_hash, dataset.metainfo.get('classes'), 'test')
    run = gather_adaptive_run(
        run_adaptive(
            model,
            loader,
            thresholds,
            progress=lambda batches: progress(
                batches, total=len(loader), desc='adaptive', unit='batches', disable=rank != 0
            ),
        )
    )
    if rank == 0:
        summary = run.summary(model.max_focus_steps)
        if args.per_clip:
            atomic_write_csv(args.per_clip, run.per_clip_rows())
        print(json.dumps({k: round(v, 6) if isinstance(v, float) else v for k, v in summary.items()}))
    return 0


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = config_from_args(args.config, args)
    cfg.load_from, cfg.resume = args.checkpoint, False
    cfg.model = without_init_weights(cfg.model)  # the checkpoint holds every weight
    if args.per_clip and not args.adaptive:
        print('error: --per-clip needs --adaptive', file=sys.stderr)
        return 2
    evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
    for evaluator in evaluators:
        if evaluator.get('type') == 'AccuracyMetric':
            evaluator.setdefault('confusion_file', os.path.join(cfg.work_dir, 'confusion_matrix.csv'))
    if args.dump:
        evaluators = evaluators + [dict(type='DumpResults', out_file_path=args.dump)]
    cfg.test_evaluator = evaluators
    try:
        check_config(cfg, training=False)
        if not os.path.exists(args.checkpoint):
            raise ConfigError(f'checkpoint {args.checkpoint} does not exist')
        init_distributed(args.launcher)
        if args.adaptive:
            status = test_adaptive(args, cfg)
            finish_distributed()
            return status
    except (ConfigError, BudgetError, CheckpointError) as error:
        print(f'error: {args.config}: {error}', file=sys.stderr)
        return 2
    cfg.console_log_level = 'WARNING'  # the config, hooks and metrics go to the log file only
    try:
        runner = GFRunner.from_cfg(cfg)
        metrics = runner.test()
    except (AnnotationError, CheckpointError, ConfigError, VideoReadError) as error:
        print(f'error: {args.config}: {error}', file=sys.stderr)
        return 2
    if runner.rank == 0:
        written = [('log (config, hooks, metrics)', os.path.join(runner.log_dir, f'{runner.timestamp}.log'))]
        written += [('confusion matrix', e['confusion_file']) for e in evaluators if e.get('confusion_file')]
        written += [('predictions', args.dump)] if args.dump else []
        top = ', '.join(f'{key} {float(value):.4f}' for key, value in metrics.items() if 'top' in key)
        print(f'{args.checkpoint} on {len(runner.test_dataloader.dataset)} clips: {top or "no top-k metric"}')
        for what, path in written:
            print(f'  {what}: {path}')
        # the last line stays one JSON object of every metric, for scripts
        print(json.dumps({key: round(float(value), 6) for key, value in metrics.items()}))
    del runner  # its DDP wrapper holds the process group, which finish_distributed frees
    finish_distributed()
    return 0


if __name__ == '__main__':
    sys.exit(main())
