"""Extract JPEG frame folders (or re-encode to resized H.264) from a folder of videos.

Resumable: finished outputs are skipped, and outputs are written atomically, so a killed run
leaves no partial folder or file (what it left half-written is removed when the next run on the
same OUT_DIR starts; two runs must not share an OUT_DIR). Videos that fail are listed in
OUT_DIR/extract_errors.txt and the run goes on; a full disk stops it.

Examples::

    gfvideo extract-frames data/sthv2/videos data/sthv2/frames --short-side 256 --workers 8
    gfvideo extract-frames data/k400/videos data/k400/videos_256p --reencode
"""

import argparse
import os
import sys
from multiprocessing import Pool

from gfvideo.data.prep.frame_extraction import plan_extraction, run_extraction
from gfvideo.fileio import DiskFullError, atomic_write_lines, remove_stale_temporaries
from gfvideo.progress import progress


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('video_dir')
    parser.add_argument('out_dir')
    parser.add_argument('--short-side', type=int, default=256, help='resize the short side (0: keep; default 256)')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1)
    parser.add_argument('--reencode', action='store_true', help='write resized H.264 .mp4 files instead of JPEGs')
    parser.add_argument('--filename-tmpl', default='{:06d}.jpg', help="frame names (default '{:06d}.jpg', TSM's)")
    parser.add_argument('--start-index', type=int, default=1, help='number of the first frame file (default 1)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    jobs = plan_extraction(
        args.video_dir, args.out_dir, args.short_side, args.reencode, args.filename_tmpl, args.start_index
    )
    os.makedirs(args.out_dir, exist_ok=True)
    stale = remove_stale_temporaries(args.out_dir, recursive=True)
    if stale:
        print(f'removed {len(stale)} half-written outputs of an interrupted run, e.g. {stale[0]}')
    errors, done, skipped, disk_full = [], 0, 0, None
    with Pool(max(1, args.workers)) as pool:
        try:
            for source, count, error in progress(
                pool.imap_unordered(run_extraction, jobs), len(jobs), 'extract', 'videos'
            ):
                if error:
                    errors.append(f'{source}\t{error}')
                elif count:
                    done += 1
                else:
                    skipped += 1
        except DiskFullError as error:
            disk_full = error
            pool.terminate()
    error_file = os.path.join(args.out_dir, 'extract_errors.txt')
    if errors:
        atomic_write_lines(error_file, sorted(errors))
    elif os.path.exists(error_file):
        os.remove(error_file)
    if disk_full is not None:
        print(f'error: {disk_full.strerror}; stopped after {done} videos, rerun to resume', file=sys.stderr)
        return 1
    print(
        f'{len(jobs)} videos: {done} extracted, {skipped} already done, {len(errors)} failed'
        + (f' (see {error_file})' if errors else '')
    )
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
