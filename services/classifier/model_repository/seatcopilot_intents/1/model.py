"""Triton python-backend model: the trained intent classifier (the same code the service runs in
process, imported from this checkout), int8 on the CPU, on ONNX Runtime unless
SEATCOPILOT_CLASSIFIER_RUNTIME=torch. One forward pass per batch Triton forms; the
Banking77 mix is computed only for batches where a request asks for `banking77_probs`."""

import os
import sys
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

ROOT = Path(__file__).resolve().parents[5]  # the checkout: <root>/services/classifier/model_repository/<model>/1/
for path in (ROOT / "libs", ROOT):  # the shared libs (seatcopilot.*) and the services, as installed in .venv
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class TritonPythonModel:
    def initialize(self, args):
        from services.classifier.model import current_model_dir
        from services.classifier.onnx_encoder import predictor

        directory = os.environ.get("SEATCOPILOT_CLASSIFIER_DIR") or current_model_dir()
        if not directory:
            raise pb_utils.TritonModelException("no trained classifier: run `make models` "
                                                "or set SEATCOPILOT_CLASSIFIER_DIR")
        threads = int(os.environ.get("SEATCOPILOT_CLASSIFIER_THREADS", "0")) or None
        runtime = os.environ.get("SEATCOPILOT_CLASSIFIER_RUNTIME", "onnx")
        self.predictor = predictor(runtime, Path(directory), int8=True, threads=threads, mix=True)
        self.labels = np.array([label.encode() for label in self.predictor.meta.intent_labels], dtype=np.object_)

    def execute(self, requests):
        texts, sizes = [], []
        for request in requests:
            values = pb_utils.get_input_tensor_by_name(request, "text").as_numpy().reshape(-1)
            texts.extend(v.decode() if isinstance(v, bytes) else str(v) for v in values)
            sizes.append(len(values))
        # the Banking77 mix (memories' votes, lexical model) only when some request asks for it: the classifier
        # service asks for the intents alone
        if any("banking77_probs" in request.requested_output_names() for request in requests):
            intents, banking = self.predictor.predict(texts)
        else:
            intents, banking = self.predictor.intents(texts), None
        responses, start = [], 0
        for size in sizes:
            part = slice(start, start + size)
            start += size
            outputs = [pb_utils.Tensor("intent_probs", intents[part].astype(np.float32)),
                       pb_utils.Tensor("intent_labels", np.tile(self.labels, (size, 1)))]
            if banking is not None:
                outputs.append(pb_utils.Tensor("banking77_probs", banking[part].astype(np.float32)))
            responses.append(pb_utils.InferenceResponse(output_tensors=outputs))
        return responses
