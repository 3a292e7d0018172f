#!/usr/bin/env bash
# Train on a Slurm cluster, one task per GPU (mmaction2's tools/slurm_train.sh command line):
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py options]
# Environment: GPUS (tasks in all, default 8), GPUS_PER_NODE (default 8), CPUS_PER_TASK
# (default 5), SRUN_ARGS (more srun options), PYTHON (the interpreter, default python on PATH).
# Each task runs tools/train.py --launcher slurm: mmengine reads its rank, world size and master
# address from Slurm's variables (MASTER_PORT: default 29500).
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py options]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR=()
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
    WORK_DIR=(--work-dir "$1")
    shift
fi
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-$((GPUS < 8 ? GPUS : 8))}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
# shellcheck disable=SC2086  # SRUN_ARGS holds several options
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$(dirname "$0")/train.py" "$CONFIG" "${WORK_DIR[@]}" --launcher slurm "$@"
