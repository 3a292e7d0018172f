"""Train a gfvideo model with mmengine's Runner (mmaction2 1.x's command line).

Examples::

    gfvideo train configs/recognition/gfnet/gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py
    gfvideo train configs/recognition/tsm/tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py \\
        --work-dir work_dirs/tsm --resume
    gfvideo train configs/recognition/tsm/tsm_imagenet-pretrained-r50_8xb8-1x1x8-50e_sthv2-rgb.py \\
        --data-root /data/sthv2   # lists and media there
    torchrun --nproc_per_node 2 tools/train.py CONFIG --launcher pytorch
"""

import argparse
import contextlib
import os
import sys

import torch
from mmengine.config import Config

from gfvideo.classes import AnnotationError
from gfvideo.data import VideoReadError
from gfvideo.engine import GFRunner
from gfvideo.engine.config_checks import ConfigError, check_config
from gfvideo.engine.launch import add_runner_arguments, config_from_args, finish_distributed, init_distributed
from gfvideo.fileio import DiskFullError, OutputLockedError, output_lock
from gfvideo.models import CheckpointError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='train config file')
    add_runner_arguments(parser)
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help="resume from CKPT, or from the work dir's last checkpoint when no CKPT is given",
    )
    parser.add_argument('--amp', action='store_true', help='mixed precision (float16 on GPUs, bfloat16 on CPUs)')
    parser.add_argument('--auto-scale-lr', action='store_true', help='scale the lr by the actual batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
    parser.add_argument('--deterministic', action='store_true', help='deterministic algorithms')
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> Config:
    cfg = config_from_args(args.config, args)
    if args.amp:  # float16 with loss scaling on GPUs; bfloat16 autocast on CPUs
        if torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:
            cfg.optim_wrapper.type = 'BFloat16OptimWrapper'
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.resume == 'auto':  # continue this work dir's run if it has a checkpoint, else start it
        if os.path.exists(os.path.join(cfg.work_dir, 'last_checkpoint')):
            cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.seed is not None:
        cfg.randomness.seed = args.seed
    if args.deterministic:
        cfg.randomness.deterministic = True
        # torch.use_deterministic_algorithms makes cuBLAS raise at the first matrix product unless
        # its workspace is fixed before cuBLAS starts (no effect on CPUs)
        os.environ.setdefault('CUBLAS_WORKSPACE_CONFIG', ':4096:8')
    return cfg


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = build_config(args)
    try:
        check_config(cfg, training=True)
    except ConfigError as error:
        print(f'error: {args.config}: {error}', file=sys.stderr)
        return 2
    init_distributed(args.launcher)
    # one run per work dir: a second one would overwrite this one's checkpoints (rank 0 holds it)
    lock = output_lock(cfg.work_dir) if int(os.environ.get('RANK', '0')) == 0 else contextlib.nullcontext()
    try:
        with lock:
            GFRunner.from_cfg(cfg).train()
    except OutputLockedError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    except (AnnotationError, CheckpointError, ConfigError, DiskFullError, VideoReadError) as error:
        print(f'error: {error.strerror if isinstance(error, DiskFullError) else error}', file=sys.stderr)
        return 1
    finish_distributed()
    return 0


if __name__ == '__main__':
    sys.exit(main())
