#!/usr/bin/env bash
# Fills the TensorRT-LLM backend's in-flight-batching model templates (preprocessing ->
# tensorrt_llm -> postprocessing, joined by an ensemble) with this project's values, and names the
# ensemble as the generation service calls it. Run inside the Triton TensorRT-LLM container.
#
#   deploy/triton/tensorrt_llm/prepare_repository.sh OUTPUT_REPOSITORY [params.env]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: prepare_repository.sh OUTPUT_REPOSITORY [params.env]}"
# shellcheck source=/dev/null
source "${2:-$HERE/params.env}"
BACKEND="${TRTLLM_BACKEND_DIR:-/app}"            # the tensorrtllm_backend checkout in the container
FILL="python3 $BACKEND/tools/fill_template.py"

rm -rf "$OUT" && mkdir -p "$OUT"
for model in preprocessing tensorrt_llm postprocessing ensemble; do
  cp -r "$BACKEND/all_models/inflight_batcher_llm/$model" "$OUT/"
done

$FILL -i "$OUT/preprocessing/config.pbtxt" \
  "tokenizer_dir:$HF_MODEL_DIR,triton_max_batch_size:$MAX_BATCH_SIZE,preprocessing_instance_count:1"
$FILL -i "$OUT/postprocessing/config.pbtxt" \
  "tokenizer_dir:$HF_MODEL_DIR,triton_max_batch_size:$MAX_BATCH_SIZE,postprocessing_instance_count:1"
# decoupled_mode:True streams tokens; the queue is bounded so overload is refused, not queued.
$FILL -i "$OUT/tensorrt_llm/config.pbtxt" \
  "triton_backend:tensorrtllm,triton_max_batch_size:$MAX_BATCH_SIZE,decoupled_mode:True,engine_dir:$ENGINE_DIR,\
max_beam_width:1,batching_strategy:inflight_fused_batching,kv_cache_free_gpu_mem_fraction:$KV_CACHE_FREE_GPU_MEM_FRACTION,\
exclude_input_in_output:True,enable_kv_cache_reuse:True,max_queue_delay_microseconds:$MAX_QUEUE_DELAY_MICROSECONDS,\
max_queue_size:$MAX_QUEUE_SIZE,encoder_input_features_data_type:TYPE_FP16,logits_datatype:TYPE_FP32"
$FILL -i "$OUT/ensemble/config.pbtxt" "triton_max_batch_size:$MAX_BATCH_SIZE,logits_datatype:TYPE_FP32"

# The generation service calls the ensemble by the name of the CPU model, with the same inputs.
mv "$OUT/ensemble" "$OUT/$TRITON_MODEL_NAME"
sed -i "s/^name: \"ensemble\"/name: \"$TRITON_MODEL_NAME\"/" "$OUT/$TRITON_MODEL_NAME/config.pbtxt"
echo "model repository ready in $OUT (serve with: tritonserver --model-repository=$OUT)"
