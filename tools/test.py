"""Evaluate a checkpoint with a config's test dataloader and metrics (mmaction2 1.x's command line).

Examples::

    python tools/test.py configs/gfnet_small_synthetic-stage3.py work_dirs/gfnet_small_synthetic-stage3/epoch_4.pth
    torchrun --nproc_per_node 2 tools/test.py CONFIG CKPT --launcher pytorch --dump results.pkl
"""
import argparse
import json
import os
import sys

from mmengine.config import Config, DictAction

from gfvideo.engine import GFRunner
from gfvideo.engine.config_checks import ConfigError, check_config
from gfvideo.engine.launch import init_distributed


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--work-dir', help='where logs and metrics go (default: work_dirs/<config name>)')
    parser.add_argument('--dump', help='also write every prediction to this pickle file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    cfg.launcher = args.launcher
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or os.path.join(
        'work_dirs', os.path.splitext(os.path.basename(args.config))[0])
    cfg.load_from, cfg.resume = args.checkpoint, False
    if args.dump:
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
        cfg.test_evaluator = evaluators + [dict(type='DumpResults', out_file_path=args.dump)]
    try:
        check_config(cfg, training=False)
        if not os.path.exists(args.checkpoint):
            raise ConfigError(f'checkpoint {args.checkpoint} does not exist')
    except ConfigError as error:
        print(f'error: {args.config}: {error}', file=sys.stderr)
        return 2
    init_distributed(args.launcher)
    runner = GFRunner.from_cfg(cfg)
    metrics = runner.test()
    if runner.rank == 0:
        print(json.dumps({key: round(float(value), 6) for key, value in metrics.items()}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
