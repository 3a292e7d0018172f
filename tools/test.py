"""Evaluate a checkpoint with a config's test dataloader and metrics (mmaction2 1.x's command line).

Examples::

    python tools/test.py configs/gfnet_small_synthetic-stage3.py work_dirs/gfnet_small_synthetic-stage3/epoch_4.pth
    torchrun --nproc_per_node 2 tools/test.py CONFIG CKPT --launcher pytorch --dump results.pkl
"""
import argparse
import json
import os
import sys

from gfvideo.engine import GFRunner
from gfvideo.engine.config_checks import ConfigError, check_config
from gfvideo.engine.launch import add_runner_arguments, init_distributed, load_config


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--dump', help='also write every prediction to this pickle file')
    add_runner_arguments(parser)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = load_config(args.config, args)
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
