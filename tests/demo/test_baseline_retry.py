"""The demo's full-frame baseline gets the second chance GlanceFocusNet's stalled stage 1 gets."""

import json
import os

from gfvideo.demo.pipeline import DemoRun, train_baseline
from gfvideo.demo.recipes import BASELINE_RETRY, RECIPES, SIZES


class FakeTools:
    """Stands in for ``gfvideo train``: leaves a finished run whose validation top-1 depends on
    its ``--seed``, where mmengine's LocalVisBackend writes it."""

    def __init__(self, top1_by_seed: dict[int, float]) -> None:
        self.top1_by_seed = top1_by_seed
        self.runs: list[tuple[str, int]] = []

    def __call__(self, log: str, command: str, *args: str) -> None:
        assert command == 'train'
        work, seed = args[args.index('--work-dir') + 1], int(args[args.index('--seed') + 1])
        self.runs.append((os.path.basename(work), seed))
        os.makedirs(os.path.join(work, '20260101_000000', 'vis_data'))
        with open(os.path.join(work, '20260101_000000', 'vis_data', 'scalars.json'), 'w') as file:
            file.write(json.dumps(dict(top1=self.top1_by_seed[seed], step=12)) + '\n')
        with open(os.path.join(work, 'last_checkpoint'), 'w') as file:
            file.write(os.path.join(work, 'epoch_12.pth'))


def demo_run(tmp_path, tools: FakeTools, sizes: str = 'full') -> DemoRun:
    return DemoRun(tools, str(tmp_path), SIZES[sizes], 7, RECIPES['busy'])  # type: ignore[arg-type]


def test_a_stalled_baseline_trains_again_with_the_next_seed_and_the_better_run_is_the_baseline(tmp_path):
    log = str(tmp_path / 'baseline.log')
    tools = FakeTools({7: 0.8675, 8: 0.985})
    baseline = train_baseline(log, demo_run(tmp_path, tools))
    assert tools.runs == [('tsm_baseline', 7), ('tsm_baseline-retry1', 8)]
    assert baseline['checkpoint'] == str(tmp_path / 'train' / 'tsm_baseline-retry1' / 'epoch_12.pth')
    assert baseline['runs'] == dict(
        stage_retry=dict(metric='top1', below=BASELINE_RETRY.below),
        runs=[dict(run='tsm_baseline', score=0.8675), dict(run='tsm_baseline-retry1', score=0.985)],
        chosen='tsm_baseline-retry1',
    )
    assert (
        'the baseline: validation top1 0.8675 < 0.9 (its retry rule), training it again with seed 8' in open(log).read()
    )


def test_a_healthy_baseline_and_a_quick_one_train_once(tmp_path):
    healthy = FakeTools({7: 0.9})  # at the threshold
    baseline = train_baseline(str(tmp_path / 'a.log'), demo_run(tmp_path / 'a', healthy))
    assert healthy.runs == [('tsm_baseline', 7)] and baseline['runs']['chosen'] == 'tsm_baseline'
    quick = FakeTools({7: 0.1})  # a few clips' validation says nothing
    baseline = train_baseline(str(tmp_path / 'b.log'), demo_run(tmp_path / 'b', quick, sizes='quick'))
    assert quick.runs == [('tsm_baseline', 7)] and baseline['runs'] is None
