#!/usr/bin/env bash
# Evaluate on N processes: tools/dist_test.sh CONFIG CHECKPOINT N [test.py options]
set -euo pipefail
# PYTHON: the interpreter to launch with (default: python on PATH)
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
"${PYTHON:-python}" -m torch.distributed.run --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --master_port="${PORT:-29500}" --nproc_per_node="$GPUS" "$(dirname "$0")/test.py" "$CONFIG" "$CHECKPOINT" \
    --launcher pytorch "$@"
