"""``hublint show MODULE``: what an exported module holds, read without TensorFlow.

Like ``saved_model_cli show --all`` (tag sets, signatures with dtypes and
shapes) plus what matters to hub consumers: variables with their sizes,
which are kernels and which regularization loss covers each (TF2: named by
object path, with the objects and layers of the object graph and what each
``regularization_losses`` function reads), dropout rates,
batch-norm momentum, attachments (image size), assets and the checkpoint.

:func:`summarize` gives the plain, JSON-able data (also the module summary of
the HTML report); :func:`show` prints it as aligned text or JSON.
"""

from __future__ import annotations

import json
import math
import sys

from hublint.module import proto
from hublint.module.model import LoadedModule, MetaGraph

EXIT_OK, EXIT_PROBLEMS, EXIT_NOT_A_MODULE = 0, 1, 2


def show(path: str, fmt: str = "text", load=None) -> int:
    """Print the summary of the module at ``path``.

    Exit code 0 when the module was read completely, 1 when parts of it could
    not be read (listed under "Problems"), 2 when ``path`` is not a module.
    """
    from hublint.module.reader import load_module

    module = load_module(path)
    if module.format is None:
        reason = module.problems[0].reason if module.problems else "not a module"
        unsafe = module.packaging.unsafe if module.packaging is not None else ()
        if unsafe:  # HUB401: nothing of an unsafe archive is read
            reason = f"archive refused (HUB401): {unsafe[0].name!r}: {unsafe[0].reason}"
        print(f"hublint show: error: {path}: {reason}", file=sys.stderr)
        return EXIT_NOT_A_MODULE
    summary = summarize(module)
    if load is not None:  # --load: what the TensorFlow child measured (hublint.dynamic)
        from hublint.dynamic.measure import attach_measured

        attach_measured(summary, path, load)
    if fmt == "json":
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
    else:
        sys.stdout.write(render_text(summary))
    return EXIT_PROBLEMS if summary["problems"] else EXIT_OK


# -- the data -----------------------------------------------------------------------------

def summarize(module: LoadedModule) -> dict:
    """The plain-data summary of ``module`` (JSON-able)."""
    checkpoint = module.checkpoint
    shards = dict(module.shards)
    present = [size for size in shards.values() if size is not None]
    return {
        "path": module.path,
        "format": module.format,
        "module_def": _module_def(module),
        "saved_model_file": module.saved_model_file or None,
        "saved_model_bytes": module.saved_model_bytes,
        "meta_graphs": [_meta_graph(module, meta_graph) for meta_graph in module.meta_graphs],
        "checkpoint": {
            "index": module.index_state,
            "num_shards": checkpoint.num_shards if checkpoint is not None else 0,
            "shards": shards,
            "missing_shards": sorted(name for name, size in shards.items() if size is None),
            "total_bytes": sum(present),
            "variables": len(checkpoint.entries) if checkpoint is not None else 0,
        },
        "assets": {
            "folder": module.assets_dir,
            "files": {name: asset.size for name, asset in sorted(module.asset_files.items())},
        },
        "problems": [problem.reason for problem in module.problems],
    }


def _module_def(module: LoadedModule) -> dict | None:
    if module.module_def is None:
        return None
    return {"format": module.module_def.format, "required_features": list(module.module_def.required_features)}


def _meta_graph(module: LoadedModule, meta_graph: MetaGraph) -> dict:
    info = meta_graph.proto.meta_info_def
    semantics = _semantics(meta_graph)
    return {
        "tag_set": list(meta_graph.tag_set),
        "tensorflow_version": info.tensorflow_version,
        "nodes": len(meta_graph.proto.graph_def.node),
        "functions": len(meta_graph.proto.graph_def.library.function),
        "signatures": {
            name: _signature(meta_graph.signatures[name]) for name in sorted(meta_graph.signatures)
        },
        "collections": {
            key: len(meta_graph.collection_values(key)) for key in sorted(meta_graph.proto.collection_def)
        },
        "variables": _variables(module, meta_graph, semantics),
        "objects": _objects(meta_graph),
        "regularization_losses": semantics.get("regularization_losses", []),
        "dropouts": semantics.get("dropouts", []),
        "batch_norms": semantics.get("batch_norms", []),
        "semantics": semantics.get("status", "available"),
        "attachments": sorted(meta_graph.attachments),
        "image_size": list(meta_graph.image_size) if meta_graph.image_size else None,
        "assets": [{"tensor": ref.tensor, "filename": ref.filename} for ref in meta_graph.asset_refs],
    }


def _signature(signature) -> dict:
    return {
        "method_name": signature.method_name,
        "inputs": {key: tensor_spec(signature.inputs[key]) for key in sorted(signature.inputs)},
        "outputs": {key: tensor_spec(signature.outputs[key]) for key in sorted(signature.outputs)},
    }


def tensor_spec(info) -> dict:
    """A TensorInfo as plain data: kind (dense / sparse / composite), tensor name(s), dtype, shape."""
    kind = info.WhichOneof("encoding")
    shape = None if info.tensor_shape.unknown_rank else [d.size for d in info.tensor_shape.dim]
    spec = {"kind": "dense", "name": info.name, "dtype": proto.dtype_name(info.dtype), "shape": shape}
    if kind == "coo_sparse":
        spec.update(kind="sparse", name=info.coo_sparse.values_tensor_name,
                    indices=info.coo_sparse.indices_tensor_name,
                    dense_shape=info.coo_sparse.dense_shape_tensor_name)
    elif kind == "composite_tensor":
        type_spec = info.composite_tensor.type_spec
        spec.update(kind="composite", name="",
                    type_spec=type_spec.type_spec_class_name or _type_spec_class(type_spec.type_spec_class),
                    components=[tensor_spec(component) for component in info.composite_tensor.components])
    return spec


def _type_spec_class(value: int) -> str:
    enum = proto.TypeSpecProto.DESCRIPTOR.enum_types_by_name["TypeSpecClass"]
    item = enum.values_by_number.get(value)
    return item.name if item is not None else str(value)


def _variables(module: LoadedModule, meta_graph: MetaGraph, semantics: dict) -> list[dict]:
    entries = module.variables or {}
    kernels = semantics.get("kernels", {})
    covered = semantics.get("covered_by", {})
    rows = []
    for variable in meta_graph.variables:
        entry = entries.get(variable.checkpoint_key)
        row = {
            "name": variable.name,
            "dtype": proto.dtype_name(variable.dtype),
            "shape": list(variable.shape) if variable.shape is not None else None,
            "trainable": variable.trainable,
            "bytes": entry.size if entry is not None else _bytes(variable.dtype, variable.shape),
            "in_checkpoint": entry is not None,
        }
        if "kernels" in semantics:
            row["kernel"] = variable.name in kernels
            row["regularization_loss"] = covered.get(variable.name)
        rows.append(row)
    return rows


def _objects(meta_graph: MetaGraph) -> list[dict]:
    """TF2: the Keras layers and ``tf.Module`` objects of the object graph, by readable path; ``[]`` for TF1."""
    objects = meta_graph.object_graph
    if objects is None:
        return []
    return [
        {"path": layer.path, "kind": layer.kind, "class_name": layer.class_name, "variables": list(layer.variables)}
        for layer in objects.layers
    ]


def _bytes(dtype: int, shape) -> int | None:
    size = proto.DTYPE_SIZES.get(dtype % 100)
    if size is None or shape is None or any(d < 0 for d in shape):
        return None
    return size * math.prod(shape)


def _semantics(meta_graph: MetaGraph) -> dict:
    """What the graph analysis knows (kernels, regularization, dropout, batch norm), as plain data."""
    try:
        facts = meta_graph.facts
    except ImportError:  # the analysis layer is optional for the structural summary
        return {"status": "unavailable"}
    covered: dict[str, str] = {}
    for loss in facts.regularization_losses:
        for variable in loss.variables:
            covered.setdefault(variable, loss.tensor)
    return {
        "kernels": {kernel.variable: list(kernel.ops) for kernel in facts.kernels},
        "covered_by": covered,
        "regularization_losses": [
            {"tensor": loss.tensor, "variables": list(loss.variables)} for loss in facts.regularization_losses
        ],
        "dropouts": [
            {"node": d.node, "rate": d.rate, "form": d.form, "conditional": d.conditional, "function": d.function,
             "mode": d.mode, "entry": d.entry}
            for d in facts.dropouts
        ],
        "batch_norms": [
            {"node": b.node, "fused": b.fused, "training": b.training, "conditional": b.conditional,
             "momentum": b.momentum, "updates_in_collection": b.updates_in_collection, "function": b.function,
             "mode": b.mode, "entry": b.entry, "layer": b.layer}
            for b in facts.batch_norms
        ],
    }


# -- the text -----------------------------------------------------------------------------

def render_text(summary: dict) -> str:
    """The summary as aligned text for people."""
    lines: list[str] = []
    add = lines.append
    module_def = summary["module_def"]
    kind = "TF1 Hub format" if summary["format"] == "tf1-hub" else "SavedModel"
    if module_def is not None:
        kind += f" (tfhub_module.pb format {module_def['format']})"
    add(f"Module: {summary['path']}")
    add(f"Format: {kind}")
    add(f"Graph:  {summary.get('saved_model_file') or 'saved_model.pb'}, {_size(summary['saved_model_bytes'])}, "
        f"{_count(len(summary['meta_graphs']), 'meta graph')}")
    checkpoint = summary["checkpoint"]
    if checkpoint["index"] == "ok":
        text = (f"{_count(checkpoint['variables'], 'variable')} in {_count(checkpoint['num_shards'], 'shard')}, "
                f"{_size(checkpoint['total_bytes'])}")
        if checkpoint["missing_shards"]:
            text += f" (missing: {', '.join(checkpoint['missing_shards'])})"
    else:
        text = f"variables/variables.index {checkpoint['index']}"
    add(f"Checkpoint: {text}")
    assets = summary["assets"]
    if assets["files"]:
        files = ", ".join(f"{name} ({_size(size) if size is not None else 'unreadable'})"
                          for name, size in assets["files"].items())
        add(f"Assets: {files}")
    else:
        add("Assets: none" + ("" if assets["folder"] else " (no assets/ folder)"))

    for meta_graph in summary["meta_graphs"]:
        add("")
        tags = "{" + ", ".join(meta_graph["tag_set"]) + "}"
        note = " (default)" if not meta_graph["tag_set"] else ""
        add(f"Meta graph with tag set {tags}{note}: {meta_graph['nodes']} nodes, "
            f"{_count(meta_graph['functions'], 'function')}, TensorFlow {meta_graph['tensorflow_version'] or '?'}")
        _render_signatures(meta_graph, add)
        _render_objects(meta_graph, add)
        _render_variables(meta_graph, add)
        _render_losses(meta_graph, add)
        _render_semantics(meta_graph, add)
        if meta_graph["attachments"]:
            text = ", ".join(meta_graph["attachments"])
            if meta_graph["image_size"]:
                text += f" (image size {meta_graph['image_size'][0]}x{meta_graph['image_size'][1]})"
            add(f"  Attachments: {text}")
        for asset in meta_graph["assets"]:
            add(f"  Asset: {asset['tensor']} <- assets/{asset['filename']}")
        if meta_graph["collections"]:
            add("  Collections: " + ", ".join(f"{k} ({v})" for k, v in meta_graph["collections"].items()))

    if "measured" in summary:
        from hublint.dynamic.measure import render_measured

        lines.extend(render_measured(summary["measured"], summary.get("measured_status", "")))
    if summary["problems"]:
        add("")
        add("Problems:")
        lines.extend(f"  {problem}" for problem in summary["problems"])
    return "\n".join(lines) + "\n"


def _render_signatures(meta_graph: dict, add) -> None:
    if not meta_graph["signatures"]:
        add("  Signatures: none")
        return
    for name, signature in meta_graph["signatures"].items():
        method = f" (method {signature['method_name']})" if signature["method_name"] else ""
        add(f"  Signature '{name}'{method}:")
        for direction in ("inputs", "outputs"):
            rows = [
                [f"{key}", spec["dtype"], _shape(spec["shape"]), _tensor_text(spec)]
                for key, spec in signature[direction].items()
            ]
            add(f"    {direction}:" + ("" if rows else " none"))
            lines = _table(rows, indent="      ")
            for line in lines:
                add(line)


def _tensor_text(spec: dict) -> str:
    if spec["kind"] == "sparse":
        return f"sparse: {spec['indices']}, {spec['name']}, {spec['dense_shape']}"
    if spec["kind"] == "composite":
        return f"composite {spec['type_spec']}: " + ", ".join(c["name"] for c in spec["components"])
    return spec["name"]


def _render_variables(meta_graph: dict, add) -> None:
    variables = meta_graph["variables"]
    if not variables:
        add("  Variables: none")
        return
    semantic = "kernel" in variables[0]
    header = ["name", "dtype", "shape", "trainable", "bytes"] + (["kernel", "regularization loss"] if semantic else [])
    rows = [header]
    for v in variables:
        row = [v["name"], v["dtype"], _shape(v["shape"]), "yes" if v["trainable"] else "no",
               str(v["bytes"]) if v["bytes"] is not None else "?"]
        if not v["in_checkpoint"]:
            row[4] += " (not in checkpoint)"
        if semantic:
            row += ["yes" if v["kernel"] else "", v["regularization_loss"] or ("none" if v["kernel"] else "")]
        rows.append(row)
    add(f"  Variables ({len(variables)}):")
    for line in _table(rows, indent="    "):
        add(line)


def _render_objects(meta_graph: dict, add) -> None:
    objects = meta_graph.get("objects") or []
    if not objects:
        return
    rows = [["path", "object", "variables"]]
    for item in objects:
        kind = item["class_name"] or item["kind"].removeprefix("_tf_keras_").replace("_generic_user_object", "object")
        rows.append([item["path"] or "(root)", kind, ", ".join(item["variables"])])
    add(f"  Objects ({len(objects)}):")
    for line in _table(rows, indent="    "):
        add(line)


def _render_losses(meta_graph: dict, add) -> None:
    """TF2: each function of ``regularization_losses`` and the variables it reads (TF1: the table says it)."""
    if not meta_graph.get("objects") or meta_graph["semantics"] != "available":
        return
    losses = meta_graph["regularization_losses"]
    if not losses:
        add("  Regularization losses: none")
        return
    add(f"  Regularization losses ({len(losses)}):")
    for loss in losses:
        add(f"    {loss['tensor']}: reads {', '.join(loss['variables']) or 'no variable'}")


def _render_semantics(meta_graph: dict, add) -> None:
    if meta_graph["semantics"] != "available":
        return
    lines: dict[str, list[str]] = {}  # one line per reading, with the nodes that share it
    for dropout in meta_graph["dropouts"]:
        rate = "unknown" if dropout["rate"] is None else f"{dropout['rate']:g}"
        trace = _trace(dropout)
        if dropout["conditional"]:
            mode = "when training" + (f", {trace}" if trace else "")
        elif trace and dropout.get("mode") != "training":
            mode = f"active at inference, {trace}"
        else:
            mode = trace or "always active"
        lines.setdefault(f"Dropout: rate {rate}, {mode}", []).append(_where(dropout))
    for norm in meta_graph["batch_norms"]:
        momentum = "unknown" if norm["momentum"] is None else f"{norm['momentum']:g}"
        if norm["conditional"]:
            mode = "training chosen at run time"
        else:
            mode = "training mode" if norm["training"] else "inference mode"
        trace = _trace(norm)
        if trace:
            mode += f", {trace}"
        kind = "fused" if norm["fused"] else "unfused"
        layer = f"layer {norm['layer']}, " if norm.get("layer") else ""
        lines.setdefault(f"Batch norm: momentum {momentum}, {mode}, {kind}", []).append(f"{layer}{_where(norm)}")
    for text, places in lines.items():
        # A network's 50 batch norms that read alike are one line: the first node, and how many more.
        more = f", and {len(places) - 1} more like it" if len(places) > 1 else ""
        add(f"  {text} ({places[0]}{more})")


def _trace(item: dict) -> str:
    """TF2: the traces a dropout or batch norm belongs to, "" without an object graph."""
    mode, entry = item.get("mode", ""), item.get("entry", "")
    if mode == "unreached":
        return "in a function no entry calls"
    if not mode:
        return ""
    traces = {"training": "training trace", "inference": "inference trace"}.get(mode, "training and inference traces")
    return f"{traces} {entry}" if entry else traces


def _where(item: dict) -> str:
    return f"{item['function']}: {item['node']}" if item["function"] else item["node"]


def _table(rows: list[list[str]], indent: str) -> list[str]:
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def _shape(shape) -> str:
    if shape is None:
        return "<unknown rank>"
    return "[" + ", ".join("?" if d < 0 else str(d) for d in shape) + "]"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"

