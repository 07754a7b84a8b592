"""Wire formats other servers speak, converted to and from records and predictions.

- MLflow's scoring server (`POST /invocations`): dataframe_split, dataframe_records, instances,
  inputs; answers {"predictions": [...]}.
- The Open Inference Protocol v2 (KServe, MLServer, Triton): one tensor per feature in,
  `predict` (and `predict_proba`) tensors out. Inputs may use Triton's binary tensor extension
  (tritonclient's default): a JSON header, then each tensor's raw bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from mlaas.errors import PlatformError
from mlaas.serving.predictor import Prediction

MLFLOW_FORMATS = ("dataframe_split", "dataframe_records", "instances", "inputs")
V2_TYPES = {"int": "INT64", "float": "FP64", "bool": "BOOL", "category": "BYTES"}
# What each declared input datatype also accepts (clients send FP32 and INT32 tensors; the
# values are converted, as KServe does).
V2_ALSO_ACCEPTED = {
    "INT64": {"INT8", "INT16", "INT32", "UINT8", "UINT16", "UINT32"},
    "FP64": {"FP16", "FP32", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32"},
}


# Little-endian numpy types of the fixed-size v2 datatypes (Triton's binary extension).
V2_NUMPY = {
    "BOOL": "?",
    "INT8": "<i1",
    "INT16": "<i2",
    "INT32": "<i4",
    "INT64": "<i8",
    "UINT8": "<u1",
    "UINT16": "<u2",
    "UINT32": "<u4",
    "UINT64": "<u8",
    "FP16": "<f2",
    "FP32": "<f4",
    "FP64": "<f8",
}


class ProtocolError(PlatformError, ValueError):
    """A body that does not follow the protocol; the message says what is wrong."""

    code = "bad_request"


def v2_binary_request(body: bytes, header_length: int) -> Any:
    """The JSON request of a body in Triton's binary tensor extension, each binary input's
    `data` filled in from the bytes after the header (in input order, as the client wrote
    them). BYTES elements are a 4-byte little-endian length, then the bytes (UTF-8 text)."""
    import json

    import numpy as np

    if not 0 <= header_length <= len(body):
        raise ProtocolError(
            f"Inference-Header-Content-Length {header_length} is outside the {len(body)}-byte body"
        )
    try:
        payload = json.loads(body[:header_length])
    except ValueError:
        raise ProtocolError("the JSON header of the binary request is not valid JSON") from None
    offset = header_length
    for tensor in payload.get("inputs", []) if isinstance(payload, dict) else []:
        parameters = tensor.get("parameters") if isinstance(tensor, dict) else None
        size = parameters.get("binary_data_size") if isinstance(parameters, dict) else None
        if size is None:
            continue
        name = tensor.get("name")
        if not isinstance(size, int) or size < 0 or offset + size > len(body):
            raise ProtocolError(f"input {name!r}: binary_data_size {size!r} overruns the body")
        chunk, offset = body[offset : offset + size], offset + size
        datatype = tensor.get("datatype")
        if datatype == "BYTES":
            tensor["data"] = _v2_binary_strings(chunk, name)
        elif datatype in V2_NUMPY:
            if size % np.dtype(V2_NUMPY[datatype]).itemsize:
                raise ProtocolError(f"input {name!r}: {size} bytes do not hold {datatype} values")
            tensor["data"] = np.frombuffer(chunk, dtype=V2_NUMPY[datatype]).tolist()
        else:
            raise ProtocolError(f"input {name!r}: datatype {datatype!r} cannot be binary")
    if offset != len(body):
        raise ProtocolError(f"{len(body) - offset} byte(s) after the last binary input")
    return payload


def _v2_binary_strings(chunk: bytes, name: Any) -> list[str]:
    values, at = [], 0
    while at < len(chunk):
        length = int.from_bytes(chunk[at : at + 4], "little")
        if at + 4 + length > len(chunk):
            raise ProtocolError(f"input {name!r}: a BYTES element overruns its data")
        try:
            values.append(chunk[at + 4 : at + 4 + length].decode())
        except UnicodeDecodeError:
            raise ProtocolError(f"input {name!r}: a BYTES element is not UTF-8 text") from None
        at += 4 + length
    return values


def _columns_to_records(columns: dict[str, Any]) -> list[dict[str, Any]]:
    lengths = {name: len(values) for name, values in columns.items() if isinstance(values, list)}
    if len(lengths) != len(columns):
        raise ProtocolError("every column must be a list of values")
    if len(set(lengths.values())) > 1:
        raise ProtocolError(f"columns have different lengths: {lengths}")
    rows = next(iter(lengths.values()), 0)
    return [{name: columns[name][i] for name in columns} for i in range(rows)]


def _list_of_records(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
        raise ProtocolError(f"{where} must be a list of {{feature: value}} records")
    return value


def records_from_mlflow(payload: Any) -> list[dict[str, Any]]:
    """Records from any of the MLflow scoring server's JSON input formats."""
    if not isinstance(payload, dict):
        raise ProtocolError(f"expected a JSON object with one of {list(MLFLOW_FORMATS)}")
    present = [key for key in MLFLOW_FORMATS if key in payload]
    if len(present) != 1:
        raise ProtocolError(
            f"expected exactly one of {list(MLFLOW_FORMATS)}, got {sorted(payload) or 'none'}"
        )
    value = payload[present[0]]
    if present[0] == "dataframe_split":
        if not isinstance(value, dict) or "columns" not in value or "data" not in value:
            raise ProtocolError("dataframe_split needs 'columns' and 'data'")
        columns, data = value["columns"], value["data"]
        if not isinstance(data, list) or not all(
            isinstance(row, list) and len(row) == len(columns) for row in data
        ):
            raise ProtocolError(f"dataframe_split.data rows must each have {len(columns)} values")
        return [dict(zip(columns, row, strict=True)) for row in data]
    if present[0] == "dataframe_records":
        return _list_of_records(value, "dataframe_records")
    if isinstance(value, dict):  # columnar instances/inputs
        return _columns_to_records(value)
    return _list_of_records(value, present[0])


def records_from_csv(body: bytes) -> list[dict[str, Any]]:
    """Records from a `text/csv` body with a header row, read as MLflow's scoring server reads
    it (`pandas.read_csv`): each column's numbers, True/False or text; an empty cell is a
    missing value."""
    import io

    import pandas as pd

    try:
        frame = pd.read_csv(io.BytesIO(body))
    except ValueError as error:  # ParserError, EmptyDataError, UnicodeDecodeError
        problem = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise ProtocolError(f"the body is not CSV with a header row: {problem}") from None
    if frame.empty:
        raise ProtocolError("the CSV body has a header row but no records")
    cells = frame.astype(object).where(frame.notna(), None)
    return [{str(k): v for k, v in row.items()} for row in cells.to_dict(orient="records")]


def mlflow_predictions(prediction: Prediction) -> dict[str, Any]:
    """What `mlflow models serve` answers for a model: labels or values."""
    return {"predictions": prediction.outputs}


def records_from_v2(payload: Any, *, feature_types: Mapping[str, str]) -> list[dict[str, Any]]:
    """Records from a v2 inference request: one 1-D tensor per feature (name = feature)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("inputs"), list):
        raise ProtocolError("expected {'inputs': [{'name', 'shape', 'datatype', 'data'}, ...]}")
    columns: dict[str, Any] = {}
    for tensor in payload["inputs"]:
        if not isinstance(tensor, dict) or not {"name", "shape", "datatype", "data"} <= set(
            tensor
        ):
            raise ProtocolError("each input needs name, shape, datatype and data")
        name, shape, data = tensor["name"], tensor["shape"], tensor["data"]
        if not isinstance(data, list):
            raise ProtocolError(f"input {name!r}: data must be a list")
        rows_given = [isinstance(row, list) for row in data]
        if any(rows_given) and not all(rows_given):
            raise ProtocolError(f"input {name!r}: data must be a flat list or a list of rows")
        flat = [v for row in data for v in row] if data and rows_given[0] else data
        expected = 1
        for dim in shape if isinstance(shape, list) else [None]:
            if not isinstance(dim, int) or dim < 0:
                raise ProtocolError(f"input {name!r}: shape must be a list of sizes")
            expected *= dim
        if expected != len(flat):
            raise ProtocolError(f"input {name!r}: shape {shape} does not hold {len(flat)} values")
        kind = feature_types.get(name)
        want = V2_TYPES.get(kind or "")
        given = tensor["datatype"]
        if want is not None and given != want and given not in V2_ALSO_ACCEPTED.get(want, ()):
            raise ProtocolError(f"input {name!r}: datatype {tensor['datatype']}, expected {want}")
        columns[name] = flat
    return _columns_to_records(columns)


def v2_label_datatype(labels: Sequence[Any]) -> str:
    """The v2 datatype of a classifier's labels as they are answered (bool before int: a bool
    is an int in Python)."""
    if labels and all(isinstance(label, bool) for label in labels):
        return "BOOL"
    if labels and all(isinstance(label, int) for label in labels):
        return "INT64"
    return "BYTES"


def v2_output_specs(labels: Sequence[Any]) -> list[dict[str, Any]]:
    """The output tensors a model answers (its metadata): `predict`, and `predict_proba` for a
    classifier (`labels` its classes in their own types; empty for regression)."""
    if not labels:
        return [{"name": "predict", "datatype": "FP64", "shape": [-1]}]
    return [
        {"name": "predict", "datatype": v2_label_datatype(labels), "shape": [-1]},
        {
            "name": "predict_proba",
            "datatype": "FP64",
            "shape": [-1, len(labels)],
            "parameters": {"classes": list(labels)},  # column i is the probability of class i
        },
    ]


def v2_requested_outputs(payload: Mapping[str, Any], labels: Sequence[Any]) -> list[str] | None:
    """The output names an inference request asks for (None: all); ProtocolError for a name
    the model does not answer."""
    asked = payload.get("outputs")
    if asked is None:
        return None
    if not isinstance(asked, list) or not all(isinstance(o, dict) and "name" in o for o in asked):
        raise ProtocolError("outputs must be a list of {'name': ...}")
    known = [spec["name"] for spec in v2_output_specs(labels)]
    names = [str(o["name"]) for o in asked]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ProtocolError(f"unknown output(s) {unknown}; this model answers {known}")
    return names


def v2_outputs(
    prediction: Prediction,
    labels: Sequence[Any],
    classes: list[str],
    requested: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The output tensors of a prediction, in the datatypes the metadata declares; only the
    `requested` ones when the request named some."""
    outputs = prediction.outputs
    rows = len(outputs)
    tensors: list[dict[str, Any]] = [
        {
            "name": "predict",
            "shape": [rows],
            "datatype": v2_label_datatype(labels) if labels else "FP64",
            "data": outputs,
        }
    ]
    if prediction.probabilities is not None:
        flat = [row[c] for row in prediction.probabilities for c in classes]
        tensors.append(
            {
                "name": "predict_proba",
                "shape": [rows, len(classes)],
                "datatype": "FP64",
                "data": flat,
                "parameters": {"classes": list(labels) or classes},
            }
        )
    if requested is None:
        return tensors
    return [tensor for tensor in tensors if tensor["name"] in requested]
