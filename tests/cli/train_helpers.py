"""Running the tools (tools/train.py, tools/test.py, tools/dist_train.sh, ...) on the tiny configs."""

import importlib
import os
import socket
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = os.path.join(ROOT, 'tests', 'cli', 'configs')


def load_tool(name: str):
    """The module of ``tools/<name>.py``'s command (:mod:`gfvideo.commands`)."""
    return importlib.import_module(f'gfvideo.commands.{name}')


def data_options(root: str) -> list[str]:
    return [
        f'{loader}.dataset.data_root={root}' for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]


def tool(script: str, *args: str, timeout: int = 600, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    result = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'tools', script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    return result


def train(stage: int, root: str, work_dir: str, *options: str, check: bool = True) -> subprocess.CompletedProcess:
    return tool(
        'train.py',
        os.path.join(CONFIGS, f'gfnet_tiny-stage{stage}.py'),
        '--work-dir',
        work_dir,
        '--cfg-options',
        *data_options(root),
        *options,
        check=check,
    )


def free_port() -> int:
    """A TCP port nobody listens on now, for a torchrun rendezvous."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def torchrun(script: str, *args: str) -> subprocess.CompletedProcess:
    """``tools/dist_train.sh CONFIG 2 ...`` or ``tools/dist_test.sh CONFIG CKPT 2 ...``."""
    positional = 1 if script == 'dist_train.sh' else 2
    command = ['bash', os.path.join(ROOT, 'tools', script), *args[:positional], '2', *args[positional:]]
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT=str(free_port())),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    return result
