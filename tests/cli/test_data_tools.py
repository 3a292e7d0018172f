"""The data command-line tools, run as users run them."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(*args, check=True):
    result = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.mark.parametrize('tool', ['make_synthetic', 'build_lists', 'extract_frames'])
def test_help(tool):
    assert 'usage' in run(f'tools/{tool}.py', '--help').stdout


def test_synthetic_to_lists_to_frames(tmp_path):
    out = str(tmp_path / 'sthv2')
    made = run(
        'tools/make_synthetic.py',
        '--layout',
        'sthv2',
        '--out',
        out,
        '--num-train',
        '6',
        '--num-val',
        '3',
        '--num-test',
        '2',
        '--seed',
        '1',
        '--frames',
        '8',
        '--size',
        '48',
    )
    assert 'train 6, val 3, test 2 clips of 8 frames 48x48, 16 classes' in made.stdout
    listed = run(
        'tools/build_lists.py',
        'sthv2',
        '--annotations',
        f'{out}/annotations',
        '--media-root',
        out,
        '--out',
        f'{out}/lists',
        '--probe',
    )
    assert 'classes.txt (16 classes), train.txt 6, val.txt 3, test.txt 2' in listed.stdout
    assert open(f'{out}/lists/val.txt').read().splitlines()[0] == 'videos/7.webm 0'

    os.remove(f'{out}/videos/8.webm')
    strict = run(
        'tools/build_lists.py',
        'sthv2',
        '--annotations',
        f'{out}/annotations',
        '--media-root',
        out,
        '--out',
        f'{out}/lists',
        '--strict',
        check=False,
    )
    assert strict.returncode == 1 and '1 videos referenced by the annotations but missing' in strict.stdout

    extracted = run('tools/extract_frames.py', f'{out}/videos', f'{out}/frames', '--short-side', '32', '--workers', '2')
    assert '10 videos: 10 extracted, 0 already done, 0 failed' in extracted.stdout
    again = run('tools/extract_frames.py', f'{out}/videos', f'{out}/frames', '--short-side', '32')
    assert '10 videos: 0 extracted, 10 already done, 0 failed' in again.stdout
    assert len(os.listdir(f'{out}/frames/1')) == 8
    reencoded = run('tools/extract_frames.py', f'{out}/videos', f'{out}/small', '--short-side', '32', '--reencode')
    assert '10 videos: 10 extracted' in reencoded.stdout
    from gfvideo.data import open_video

    with open_video(f'{out}/small/1.mp4') as reader:
        assert len(reader) == 8 and reader.get_frames([0]).shape == (1, 32, 32, 3)


def test_extract_frames_goes_on_past_bad_videos_and_cleans_up_after_a_kill(tmp_path):
    from gfvideo.data.prep.video_writer import write_video
    from tests.data.bad_media import audio_only, still_jpeg_as_mp4
    from tests.media import moving_frames

    videos, out = tmp_path / 'videos', tmp_path / 'frames'
    videos.mkdir()
    os.rename(audio_only(tmp_path)[0], videos / 'a_sound.mp4')
    os.rename(still_jpeg_as_mp4(tmp_path)[0], videos / 'b_photo.mp4')
    write_video(str(videos / 'x.mp4'), moving_frames(6, 32, 32), fps=10)
    write_video(str(videos / 'x.webm'), moving_frames(4, 32, 32), fps=10)
    (out / '.tmp-killed').mkdir(parents=True)  # what a killed run leaves
    (out / '.tmp-killed' / '000001.jpg').write_bytes(b'x')
    first = run('tools/extract_frames.py', str(videos), str(out), '--short-side', '0', '--workers', '1', check=False)
    assert first.returncode == 1, first.stderr[-2000:]
    assert '4 videos: 2 extracted, 0 already done, 2 failed' in first.stdout
    assert 'removed 1 half-written outputs' in first.stdout and not (out / '.tmp-killed').exists()
    errors = (out / 'extract_errors.txt').read_text()
    assert 'a_sound.mp4' in errors and 'no video stream' in errors and 'b_photo.mp4' in errors
    assert len(os.listdir(out / 'x_mp4')) == 6 and len(os.listdir(out / 'x_webm')) == 4  # no collision
    again = run('tools/extract_frames.py', str(videos), str(out), '--short-side', '0', '--workers', '1', check=False)
    assert '4 videos: 0 extracted, 2 already done, 2 failed' in again.stdout
    assert (out / 'extract_errors.txt').read_text() == errors
