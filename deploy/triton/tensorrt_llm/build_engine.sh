#!/usr/bin/env bash
# Builds a TensorRT-LLM engine for an 8B-class instruct model. Run inside the Triton TensorRT-LLM
# container (tritonserver:<release>-trtllm-python-py3), on the GPU type that will serve it: engines
# are specific to the GPU architecture and the TensorRT-LLM version.
#
#   deploy/triton/tensorrt_llm/build_engine.sh [params.env]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=/dev/null
source "${1:-$HERE/params.env}"
EXAMPLES="${TRTLLM_EXAMPLES_DIR:-/app/tensorrt_llm/examples}"

# 1. Hugging Face checkpoint -> TensorRT-LLM checkpoint (weights in the target dtype, split for TP).
python3 "$EXAMPLES/llama/convert_checkpoint.py" --model_dir "$HF_MODEL_DIR" --output_dir "$CHECKPOINT_DIR" \
  --dtype "$DTYPE" --tp_size "$TP_SIZE"

# 2. Checkpoint -> engine: paged KV cache and packed inputs for in-flight batching; streaming-friendly.
trtllm-build --checkpoint_dir "$CHECKPOINT_DIR" --output_dir "$ENGINE_DIR" \
  --gemm_plugin "$DTYPE" --gpt_attention_plugin "$DTYPE" \
  --paged_kv_cache enable --remove_input_padding enable --context_fmha enable \
  --max_batch_size "$MAX_BATCH_SIZE" --max_input_len "$MAX_INPUT_LEN" --max_seq_len "$MAX_SEQ_LEN"

echo "engine written to $ENGINE_DIR"
