"""gfvideo as a user of a released package gets it: a wheel built from this checkout, installed
apart from it, used from another folder; recipes and class lists come from the package."""

import os
import subprocess
import sys
import zipfile

import pytest

from tests.cli.train_helpers import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def installed(tmp_path_factory):
    """``(site, run)``: the wheel installed into a folder of its own (``pip --target``), and a
    function running a ``gfvideo`` command with only that copy importable, from a folder that
    is not the checkout."""
    wheels, site = tmp_path_factory.mktemp('wheels'), tmp_path_factory.mktemp('site')
    built = subprocess.run(
        [sys.executable, '-m', 'pip', 'wheel', '--no-deps', '-q', '-w', str(wheels), ROOT],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob('gfvideo-*.whl')
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert 'gfvideo/_shipped/data_lists/sthv2_classes.txt' in names
    assert any(n.startswith('gfvideo/_shipped/configs/recognition/gfnet/') for n in names)
    installed = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--no-deps', '-q', '--target', str(site), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    elsewhere = tmp_path_factory.mktemp('elsewhere')
    env = dict(os.environ, PYTHONPATH=str(site), OMP_NUM_THREADS='1')

    def run(*args: str) -> subprocess.CompletedProcess:
        script = [str(site / 'bin' / 'gfvideo')] if os.path.exists(site / 'bin' / 'gfvideo') else ['-m', 'gfvideo']
        command = [sys.executable, *script, *args]
        result = subprocess.run(command, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
        return result

    return site, elsewhere, run


def test_the_installed_copy_is_the_one_that_runs(installed):
    site, elsewhere, run = installed
    where = subprocess.run(
        [sys.executable, '-c', 'import gfvideo.resources as r; print(r.__file__); print(r.CONFIGS)'],
        cwd=elsewhere,
        env=dict(os.environ, PYTHONPATH=str(site)),
        capture_output=True,
        text=True,
    ).stdout.split()
    assert where[0].startswith(str(site)) and where[1].startswith(str(site))
    assert (
        'gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-busy-rgb' in run('print-config', '--list').stdout
    )


def test_from_a_wheel_a_shipped_recipe_trains_on_data_listed_with_the_shipped_class_list(installed):
    _, elsewhere, run = installed
    run('make-synthetic', '--layout', 'sthv2', '--out', 'data', '--num-train', '4', '--num-val', '2', '--frames', '8')
    # the canonical class list: data_lists/ inside the package
    run('build-lists', 'sthv2', '--annotations', 'data/annotations', '--media-root', 'data', '--out', 'data/lists')
    assert len((elsewhere / 'data' / 'lists' / 'classes.txt').read_text().splitlines()) == 16
    run(
        'train',
        'tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb',
        '--data-root',
        'data',
        '--work-dir',
        'work',
        '--cfg-options',
        'train_cfg.max_epochs=1',
        'train_cfg.val_interval=1',
        'val_dataloader.dataset.actor_boxes=None',
    )
    assert (elsewhere / 'work' / 'epoch_1.pth').exists()
    flops = run('get-flops', 'configs/recognition/tsm/tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py')
    assert 'GMACs per view' in flops.stdout
