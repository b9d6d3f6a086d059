"""Running an ONNX graph on the CPU: OpenVINO where it is installed, ONNX Runtime otherwise.

Both take the same ``.onnx`` file and give the same outputs to float rounding. OpenVINO
runs the e5 encoder ~1.4x faster per question on one core and, on a CPU with bfloat16
instructions (AVX-512 BF16, AMX), ~1.9x faster over batches of passages, its matrix
products in bfloat16 with float32 sums: cosine to the float32 vectors >= 0.9999 on every
text of the bundled corpus (``tests/test_engine.py``). The OCR networks use the same
compilation (in float32, see :mod:`rag.ocr`).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

#: What ``RAG_ONNX_RUNTIME`` may say.
RUNTIMES = ("auto", "openvino", "onnxruntime")


def has_openvino() -> bool:
    """Whether OpenVINO is installed (without importing it)."""
    return importlib.util.find_spec("openvino") is not None


def resolve(runtime: str) -> str:
    """The runtime ``runtime`` (one of :data:`RUNTIMES`) means on this machine."""
    if runtime == "auto":
        return "openvino" if has_openvino() else "onnxruntime"
    if runtime not in RUNTIMES:
        raise ValueError(f"Unknown ONNX runtime '{runtime}'; choose one of {', '.join(RUNTIMES)} (RAG_ONNX_RUNTIME).")
    return runtime


@lru_cache(maxsize=1)
def _core():
    import openvino as ov

    return ov.Core()


@lru_cache(maxsize=1)
def fast_precision() -> str:
    """``bf16`` when this CPU multiplies bfloat16 natively, else ``f32`` (OpenVINO's precision hint)."""
    return "bf16" if "BF16" in _core().get_property("CPU", "OPTIMIZATION_CAPABILITIES") else "f32"


def compile_openvino(path: str | Path, threads: int, streams: int = 1, precision: str = "f32"):
    """``path`` compiled by OpenVINO for the CPU: ``streams`` parallel streams over ``threads`` cores,
    matrix products at ``precision`` (``f32`` or ``bf16``)."""
    config = {"INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": max(1, streams),
              "INFERENCE_PRECISION_HINT": precision}
    return _core().compile_model(str(path), "CPU", config)


def ort_session(path: str | Path, threads: int):
    """An ONNX Runtime CPU session of ``path`` with graph optimisation on and ``threads`` intra-op threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3  # errors only
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OrtGraph:
    """A graph on ONNX Runtime; calls from several threads run side by side."""

    runtime = "onnxruntime"

    def __init__(self, path: str | Path, threads: int) -> None:
        self.session = ort_session(path, threads)

    def __call__(self, inputs: dict):
        """The graph's first output for ``inputs`` (name to array)."""
        return self.session.run(None, inputs)[0]


class OpenVinoGraph:
    """A graph compiled by OpenVINO; each calling thread has its own infer request, so calls
    from several threads run side by side as with ONNX Runtime."""

    runtime = "openvino"

    def __init__(self, path: str | Path, threads: int, precision: str | None = None) -> None:
        self.precision = precision or fast_precision()
        self.model = compile_openvino(path, threads, 1, self.precision)
        self._local = threading.local()

    def __call__(self, inputs: dict):
        """The graph's first output for ``inputs`` (name to array)."""
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self.model.create_infer_request()
        return request.infer(inputs)[0].copy()


def load_graph(path: str | Path, threads: int, runtime: str = "auto"):
    """``path`` ready to run on ``threads`` threads with ``runtime`` (see :func:`resolve`)."""
    if resolve(runtime) == "openvino":
        return OpenVinoGraph(path, threads)
    return OrtGraph(path, threads)
