"""Start the process group for ``--launcher pytorch`` on GPUs (NCCL) or CPUs (gloo)."""
from __future__ import annotations

import os

import torch
import torch.distributed as dist


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
