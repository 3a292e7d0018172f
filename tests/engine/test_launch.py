"""finish_distributed frees the process group, and so joins gloo's worker threads, before the
interpreter shuts down: a worker thread still dropping a collective's tensors at shutdown aborts the
process. A DDP wrapper in a reference cycle (as a runner keeps it) must not keep the group alive."""

import os
import subprocess
import sys

import pytest

from tests.cli.train_helpers import ROOT, free_port

SCRIPT = """
import os

import torch

from gfvideo.engine.launch import finish_distributed, init_distributed
from gfvideo.engine.model_wrapper import StageAwareDistributedDataParallel


def threads():
    return len(os.listdir('/proc/self/task'))


def train_briefly():
    model = StageAwareDistributedDataParallel(torch.nn.Linear(3, 3))
    model.owners = [model]  # a reference cycle, as a runner and its hooks make
    model(torch.ones(2, 3)).sum().backward()
    torch.distributed.broadcast(torch.ones(3), 0)


def main():
    torch.set_num_threads(1)
    before = threads()
    init_distributed('pytorch')
    during = threads()
    train_briefly()
    finish_distributed()
    print(before, during, threads(), torch.distributed.is_initialized())


main()
"""


@pytest.mark.skipif(not os.path.isdir('/proc/self/task'), reason="counts threads in Linux's /proc")
def test_finish_distributed_joins_the_backend_threads():
    env = dict(os.environ, MASTER_ADDR='127.0.0.1', MASTER_PORT=str(free_port()), RANK='0', WORLD_SIZE='1')
    env.update(LOCAL_RANK='0', OMP_NUM_THREADS='1', CUDA_VISIBLE_DEVICES='')
    result = subprocess.run([sys.executable, '-c', SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    before, during, after, initialized = result.stdout.split()
    assert int(during) > int(before)  # gloo's threads ran
    assert int(after) == int(before) and initialized == 'False'
