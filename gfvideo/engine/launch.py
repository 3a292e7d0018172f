"""Command-line plumbing shared by the tools: runner options, config loading, process group."""

from __future__ import annotations

import argparse
import gc
import os

import torch
import torch.distributed as dist
from mmengine.config import Config, DictAction

from ..config import load_config


def init_distributed(launcher: str) -> None:
    """Initialise ``torch.distributed`` from torchrun's environment before the Runner does.

    mmengine's own initialisation calls ``torch.cuda.set_device`` unconditionally, which a CPU
    build of PyTorch cannot do; with the group already up, the Runner uses it as it is.
    """
    if launcher == 'none' or dist.is_initialized():
        return
    if launcher != 'pytorch':
        return  # slurm / mpi: mmengine's initialisation
    if 'MASTER_ADDR' not in os.environ:
        raise SystemExit('--launcher pytorch expects torchrun (or tools/dist_train.sh) to set MASTER_ADDR')
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
        dist.init_process_group('nccl')
    else:
        dist.init_process_group('gloo')


def finish_distributed() -> None:
    """Wait for every process, then free the process group while the interpreter is whole.

    A gloo worker thread can still hold the last reference to a finished collective's tensors;
    dropping it needs the GIL, and a thread that asks for the GIL while the interpreter shuts down
    aborts the process ("terminate called without an active exception"). Freeing the group joins
    those threads (its destructor releases the GIL first), but only once nothing else holds it: a
    runner's reference cycles keep its DDP wrapper, and the wrapper's reducer the group, until the
    garbage collector runs. So the cycles go first, then the group. Callers drop their runner first.
    """
    if dist.is_initialized():
        dist.barrier()
        gc.collect()
        dist.destroy_process_group()


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """The options ``tools/train.py`` and ``tools/test.py`` share (mmaction2 1.x's names)."""
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    add_data_root_argument(parser)
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_data_root_argument(parser: argparse.ArgumentParser) -> None:
    """``--data-root``: the folder every dataloader's lists and media are relative to."""
    parser.add_argument(
        '--data-root', help='dataset folder for all dataloaders (the same as --cfg-options data_root=DIR)'
    )


def config_from_args(config: str, args: argparse.Namespace) -> Config:
    """The config with ``--cfg-options`` and ``--data-root`` merged, the launcher set and the
    work dir chosen."""
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = load_config(config, args.cfg_options, args.data_root)
    cfg.launcher = args.launcher
    cfg.work_dir = (
        args.work_dir or cfg.get('work_dir') or os.path.join('work_dirs', os.path.splitext(os.path.basename(config))[0])
    )
    return cfg
