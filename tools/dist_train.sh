#!/usr/bin/env bash
# Train on N processes of this machine (or, with NNODES/NODE_RANK/MASTER_ADDR, of several):
#   tools/dist_train.sh CONFIG N [train.py options]
set -euo pipefail
# PYTHON: the interpreter to launch with (default: python on PATH)
CONFIG=$1
GPUS=$2
shift 2
"${PYTHON:-python}" -m torch.distributed.run --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" --nproc_per_node="$GPUS" "$(dirname "$0")/train.py" "$CONFIG" --launcher pytorch "$@"
