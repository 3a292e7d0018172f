"""Stage configs found by name, finished stages found by their checkpoints, and the chaining of stages."""

import os

import pytest

from gfvideo.engine.stages import (
    StageError,
    StageFailedError,
    final_checkpoint,
    read_stage_record,
    stage_configs,
    train_stages,
)


def write_configs(folder, *names: str, epochs: int = 2) -> list[str]:
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).write_text(f'train_cfg = dict(type="EpochBasedTrainLoop", max_epochs={epochs})\n')
    return [str(folder / name) for name in names]


def test_later_stages_are_found_by_name_with_their_own_epoch_counts(tmp_path):
    recipe = write_configs(
        tmp_path,
        'gfnet_stage1_r50_8xb8-1x1x8-50e_sthv1-rgb.py',
        'gfnet_stage2_r50_8xb8-1x1x8-15e_sthv1-rgb.py',
        'gfnet_stage3_r50_8xb8-1x1x8-10e_sthv1-rgb.py',
    )
    write_configs(
        tmp_path,
        'gfnet_stage2_r50_8xb8-1x1x16-15e_sthv1-rgb.py',  # other sampling
        'gfnet_stage3_r50_8xb8-1x1x8-10e_sthv2-rgb.py',  # other dataset
        'tsm_stage2_r50_8xb8-1x1x8-15e_sthv1-rgb.py',
    )
    assert stage_configs(recipe[0]) == recipe
    batches = write_configs(
        tmp_path / 'batches',
        'g_stage1_r18_1xb16-1x1x8-7e_x-rgb.py',
        'g_stage2_r18_1xb64-1x1x8-7e_x-rgb.py',  # stage 2's own batch
        'g_stage3_r18_1xb16-1x1x8-5e_x-rgb.py',
        'g_stage2_r50_1xb64-1x1x8-7e_x-rgb.py',  # another backbone
    )
    assert stage_configs(batches[0]) == batches[:3]
    same_names = write_configs(tmp_path / 'plain', 'a_stage1.py', 'a_stage2.py', 'a_stage3.py', 'a_stage2-3e.py')
    assert stage_configs(same_names[0]) == same_names[:3]  # the exact name wins over an epoch variant


def test_stages_after_the_third_are_found_in_order_until_a_number_has_none(tmp_path):
    recipe = write_configs(
        tmp_path,
        'g_stage1_r18_1xb16-1x1x8-7e_x-rgb.py',
        'g_stage2_r18_1xb16-1x1x8-14e_x-rgb.py',
        'g_stage3_r18_1xb16-1x1x8-5e_x-rgb.py',
        'g_stage4_r18_1xb16-1x1x8-7e_x-rgb.py',  # a second PPO round, its own epochs
        'g_stage5_r18_1xb16-1x1x8-5e_x-rgb.py',
    )
    write_configs(tmp_path, 'g_stage7_r18_1xb16-1x1x8-5e_x-rgb.py', 'g_stage6_r18_1xb16-1x1x8-5e_y-rgb.py')
    assert stage_configs(recipe[0]) == recipe  # no stage 6 of this recipe: stage 7 is not reached


def test_missing_ambiguous_and_non_stage_1_configs_are_refused(tmp_path):
    stage1, _, _ = write_configs(tmp_path, 'g_stage1-7e_x.py', 'g_stage2-15e_x.py', 'g_stage2-20e_x.py')
    with pytest.raises(StageError, match=r'several stage 2 configs next to it: g_stage2-15e_x.py, g_stage2-20e_x.py'):
        stage_configs(stage1)
    (tmp_path / 'g_stage2-20e_x.py').unlink()
    with pytest.raises(StageError, match=r'g_stage1-7e_x.py: no stage 3 config next to it'):
        stage_configs(stage1)
    with pytest.raises(StageError, match='expected a stage 1 config'):
        stage_configs(str(tmp_path / 'g_stage2-15e_x.py'))


def test_a_stage_is_finished_when_its_last_epochs_checkpoint_is_the_last_one(tmp_path):
    (config,) = write_configs(tmp_path, 'g_stage1.py', epochs=2)
    work = tmp_path / 'work'
    assert final_checkpoint(config, str(work)) is None  # never started
    work.mkdir()
    (work / 'epoch_1.pth').write_bytes(b'1')
    (work / 'last_checkpoint').write_text(str(work / 'epoch_1.pth'))
    assert final_checkpoint(config, str(work)) is None  # one epoch of two
    assert final_checkpoint(config, str(work), ['train_cfg.max_epochs=1']) == str(work / 'epoch_1.pth')
    (work / 'last_checkpoint').write_text(str(work / 'epoch_2.pth'))
    assert final_checkpoint(config, str(work)) is None  # named but not there
    (work / 'epoch_2.pth').write_bytes(b'2')
    assert final_checkpoint(config, str(work)) == str(work / 'epoch_2.pth')
    (work / 'last_checkpoint').write_text(str(tmp_path / 'elsewhere' / 'epoch_2.pth'))
    assert final_checkpoint(config, str(work)) is None  # another work dir's


class FakeTrainer:
    """Records each stage it is asked to train and leaves what a finished training run leaves."""

    def __init__(self, fail_at: str | None = None, status: int = 0) -> None:
        self.calls: list[tuple[str, str, list[str]]] = []
        self.fail_at, self.status = fail_at, status

    def __call__(self, config: str, work_dir: str, options: list[str]) -> int:
        self.calls.append((os.path.basename(config), work_dir, options))
        if self.fail_at and self.fail_at in config:
            return self.status
        os.makedirs(work_dir, exist_ok=True)
        for epoch in (1, 2):
            open(os.path.join(work_dir, f'epoch_{epoch}.pth'), 'wb').close()
        with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as file:
            file.write(os.path.join(work_dir, 'epoch_2.pth'))
        return 0


def test_stages_are_chained_through_their_work_dirs_and_trained_once(tmp_path):
    stage1, *_ = write_configs(tmp_path, 'g_stage1-7e_x.py', 'g_stage2-15e_x.py', 'g_stage3-5e_x.py')
    work, lines, trainer = tmp_path / 'work', [], FakeTrainer()
    final = train_stages(stage1, trainer, str(work), ['data_root=/data'], report=lines.append)
    assert final == str(work / 'stage3' / 'epoch_2.pth')
    assert trainer.calls == [
        ('g_stage1-7e_x.py', str(work / 'stage1'), ['data_root=/data']),
        ('g_stage2-15e_x.py', str(work / 'stage2'), ['data_root=/data', f'load_from={work}/stage1']),
        ('g_stage3-5e_x.py', str(work / 'stage3'), ['data_root=/data', f'load_from={work}/stage2']),
    ]
    assert lines[0] == f'stage 1: training {tmp_path}/g_stage1-7e_x.py in {work}/stage1'
    assert lines[-1] == f'all stages finished: {final}'
    again, lines = FakeTrainer(), []
    assert train_stages(stage1, again, str(work), ['data_root=/data'], report=lines.append) == final
    assert again.calls == [] and lines[:3] == [
        f'stage {k}: already finished ({work}/stage{k}/epoch_2.pth)' for k in (1, 2, 3)
    ]
    write_configs(tmp_path, 'g_stage4-7e_x.py')  # a stage added to a finished recipe trains alone
    longer = FakeTrainer()
    assert train_stages(stage1, longer, str(work), report=lambda line: None) == str(work / 'stage4' / 'epoch_2.pth')
    assert longer.calls == [('g_stage4-7e_x.py', str(work / 'stage4'), [f'load_from={work}/stage3'])]


def test_a_failed_or_unfinished_stage_stops_the_chain(tmp_path):
    stage1, *_ = write_configs(tmp_path, 'g_stage1.py', 'g_stage2.py', 'g_stage3.py')
    failing = FakeTrainer(fail_at='stage2', status=3)
    with pytest.raises(StageFailedError) as failure:
        train_stages(stage1, failing, str(tmp_path / 'a'), report=lambda line: None)
    assert failure.value.status == 3 and failure.value.stage == 2 and len(failing.calls) == 2
    assert [entry['chosen'] for entry in read_stage_record(str(tmp_path / 'a'))] == [f'{tmp_path}/a/stage1']
    with pytest.raises(StageError, match=f'stage 1 ended without its final checkpoint in {tmp_path}/b/stage1'):
        train_stages(stage1, lambda config, work_dir, options: 0, str(tmp_path / 'b'), report=lambda line: None)
    later = FakeTrainer(fail_at='stage4', status=5)
    (tmp_path / 'g_stage4.py').write_text('train_cfg = dict(max_epochs=2)\n')
    with pytest.raises(StageFailedError) as failure:
        train_stages(stage1, later, str(tmp_path / 'd'), report=lambda line: None)
    assert failure.value.stage == 4 and [call[0] for call in later.calls] == [f'g_stage{k}.py' for k in (1, 2, 3, 4)]
    (tmp_path / 'g_stage3.py').unlink()
    untouched = FakeTrainer()
    with pytest.raises(StageError, match='no stage 3 config'):
        train_stages(stage1, untouched, str(tmp_path / 'c'))
    assert untouched.calls == []  # found missing before any training


class ScoringTrainer(FakeTrainer):
    """A FakeTrainer whose runs validate at ``scores[seed]`` (the last ``randomness.seed`` option),
    written where mmengine's LocalVisBackend writes it, after an earlier validation."""

    def __init__(self, scores: dict[int, float]) -> None:
        super().__init__()
        self.scores = scores

    def __call__(self, config: str, work_dir: str, options: list[str]) -> int:
        status = super().__call__(config, work_dir, options)
        seed = int([option for option in options if option.startswith('randomness.seed=')][-1].split('=')[1])
        log = os.path.join(work_dir, '20260101_000000', 'vis_data', 'scalars.json')
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, 'w') as file:
            file.write('{"loss": 2.0, "step": 1}\n{"top1": 0.99, "step": 1}\n{"loss": 1.0, "step": 2}\n')
            file.write(f'{{"top1": {self.scores.get(seed, 0.5)}, "step": 2}}\n')
        return status


def retry_recipe(folder, rule: str) -> str:
    stage1, *_ = write_configs(folder, 'g_stage1.py', 'g_stage2.py', 'g_stage3.py')
    with open(stage1, 'a') as file:
        file.write(f'randomness = dict(seed=None)\nstage_retry = {rule}\n')
    return stage1


def test_a_stage_under_its_retry_threshold_trains_again_with_the_next_seeds_and_the_best_run_goes_on(tmp_path):
    stage1 = retry_recipe(tmp_path, "dict(metric='top1', below=0.36, max_retries=2)")
    work, lines = tmp_path / 'work', []
    trainer = ScoringTrainer({5: 0.25, 6: 0.31, 7: 0.30})  # seed 5 stalls, and so do the next two
    final = train_stages(stage1, trainer, str(work), ['randomness.seed=5'], report=lines.append)
    runs = trainer.calls[:3]
    assert [call[1] for call in runs] == [f'{work}/stage1', f'{work}/stage1-retry1', f'{work}/stage1-retry2']
    assert [call[2][-1] for call in runs] == ['randomness.seed=5', 'randomness.seed=6', 'randomness.seed=7']
    assert lines[1] == 'stage 1: validation top1 0.2500 < 0.36 (its retry rule), training it again with seed 6'
    assert lines[5] == (  # the best of three, though still under
        f'stage 1: top1 stage1 0.2500, stage1-retry1 0.3100, stage1-retry2 0.3000; going on from {work}/stage1-retry1'
    )
    assert f'load_from={work}/stage1-retry1' in trainer.calls[3][2] and final == str(work / 'stage3' / 'epoch_2.pth')
    record = read_stage_record(str(work))  # what each stage trained and which run went on
    assert [(run['work_dir'], run['score']) for run in record[0]['runs']] == [
        (f'{work}/stage1', 0.25),
        (f'{work}/stage1-retry1', 0.31),
        (f'{work}/stage1-retry2', 0.30),
    ]
    assert record[0]['runs'][1]['checkpoint'] == f'{work}/stage1-retry1/epoch_2.pth'
    assert record[0]['chosen'] == f'{work}/stage1-retry1' and record[0]['stage_retry'] == dict(
        metric='top1', below=0.36
    )
    assert [(entry['stage'], entry['stage_retry'], entry['chosen']) for entry in record[1:]] == [
        (2, None, f'{work}/stage2'),
        (3, None, f'{work}/stage3'),
    ]
    assert record[2]['runs'] == [dict(work_dir=f'{work}/stage3', score=None, checkpoint=final)]
    again = ScoringTrainer({})
    assert train_stages(stage1, again, str(work), ['randomness.seed=5'], report=lambda line: None) == final
    assert again.calls == []  # every run finished: chosen again, trained never

    healthy = ScoringTrainer({5: 0.25, 6: 0.44})  # the first retry passes: no second
    train_stages(stage1, healthy, str(tmp_path / 'b'), ['randomness.seed=5'], report=lambda line: None)
    assert [os.path.basename(call[1]) for call in healthy.calls] == ['stage1', 'stage1-retry1', 'stage2', 'stage3']
    assert healthy.calls[2][2][-1] == f'load_from={tmp_path}/b/stage1-retry1'
    passing = ScoringTrainer({5: 0.36})  # at the threshold: no retry
    train_stages(stage1, passing, str(tmp_path / 'c'), ['randomness.seed=5'], report=lambda line: None)
    assert [os.path.basename(call[1]) for call in passing.calls] == ['stage1', 'stage2', 'stage3']
    assert [run['score'] for run in read_stage_record(str(tmp_path / 'c'))[0]['runs']] == [0.36]
    assert read_stage_record(str(tmp_path / 'never trained')) is None


def test_malformed_retry_rules_and_runs_without_validation_are_refused(tmp_path):
    for number, rule in enumerate(["dict(metric='top1', below=0.3)", "dict(metric='top1', below=0.3, max_retries=0)"]):
        folder = tmp_path / str(number)
        trainer = FakeTrainer()
        with pytest.raises(StageError, match='stage 1 .*stage_retry'):
            train_stages(retry_recipe(folder, rule), trainer, str(folder / 'work'), report=lambda line: None)
        assert trainer.calls == []  # refused before any training
    (last,) = write_configs(tmp_path / 'last', 'g_stage1.py', 'g_stage2.py', 'g_stage3.py')[2:]
    with open(last, 'a') as file:
        file.write("stage_retry = dict(metric='top1', below=0.3, max_retries=1)\n")
    with pytest.raises(StageError, match='the last stage cannot have a stage_retry rule'):
        train_stages(str(tmp_path / 'last' / 'g_stage1.py'), FakeTrainer(), str(tmp_path / 'w'), report=print)
    silent = tmp_path / 'silent'
    with pytest.raises(StageError, match=r"stage 1: .*stage1: no validation 'top1'"):
        train_stages(
            retry_recipe(silent, "dict(metric='top1', below=0.3, max_retries=1)"),
            FakeTrainer(),  # trains without validating
            str(silent / 'work'),
            report=lambda line: None,
        )
