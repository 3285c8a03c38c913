"""The serialized descriptors hublint loads at import stay those its declarations describe."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from google.protobuf import descriptor_pb2

from hublint.module import proto, schema
from tests.conftest import REPO, exported_module


def test_generated_descriptors_are_current():
    with open(schema.GENERATED, encoding="utf-8") as handle:
        stored = handle.read()
    assert stored == schema.render(), "run `python -m hublint.module.schema` after changing the declarations"


def test_the_pool_holds_every_declared_file():
    for declared in schema.file_descriptors():
        loaded = descriptor_pb2.FileDescriptorProto()
        proto.POOL.FindFileByName(declared.name).CopyToProto(loaded)
        assert loaded == declared


# Reads a real module with whichever protobuf implementation the environment selects.
_READ = r"""
import json, sys
from google.protobuf.internal import api_implementation
from hublint.module import proto
saved_model = proto.SavedModel.FromString(open(sys.argv[1], "rb").read())
graph = saved_model.meta_graphs[0]
print(json.dumps({
    "implementation": api_implementation.Type(),
    "nodes": [[n.name, n.op, sorted(n.attr)] for n in graph.graph_def.node],
    "signatures": sorted(graph.signature_def),
    "dtype": proto.DT_FLOAT_REF,
    "any": proto.Any(type_url="type.googleapis.com/tensorflow.AssetFileDef").TypeName(),
}))
"""


def _read_with(implementation: str, path) -> dict:
    env = {**os.environ, "PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": implementation}
    done = subprocess.run([sys.executable, "-c", _READ, str(path)], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_upb_and_pure_python_protobuf_read_a_module_alike():
    path = exported_module("dense_l2") / "saved_model.pb"
    fast, portable = _read_with("upb", path), _read_with("python", path)
    assert (fast.pop("implementation"), portable.pop("implementation")) == ("upb", "python")
    assert fast["nodes"] and fast["any"] == "tensorflow.AssetFileDef" and fast["dtype"] == 101
    assert fast == portable
