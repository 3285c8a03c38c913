"""``hublint show``: the summary of a real module, as text and as JSON, through the real CLI."""

from __future__ import annotations

import json

from hublint.module.index import read_index
from hublint.module.reader import load_module
from hublint.module.show import summarize
from tests.conftest import run_cli
from tests.module_fixtures import module_copy, read_saved_model


def test_json_summary_describes_signatures_variables_and_checkpoint(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    done = run_cli("show", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    saved_model = read_saved_model(path)
    assert summary["format"] == "tf1-hub"
    assert summary["saved_model_bytes"] == (path / "saved_model.pb").stat().st_size

    (meta_graph,) = summary["meta_graphs"]
    expected_inputs = saved_model.meta_graphs[0].signature_def["default"].inputs
    inputs = meta_graph["signatures"]["default"]["inputs"]
    assert set(inputs) == set(expected_inputs)
    for key, spec in inputs.items():
        assert spec["name"] == expected_inputs[key].name
        assert spec["shape"] == [d.size for d in expected_inputs[key].tensor_shape.dim]
        assert spec["dtype"] == "float32"

    checkpoint = read_index(str(path / "variables" / "variables.index"))
    variables = {v["name"]: v for v in meta_graph["variables"]}
    assert set(variables) == set(checkpoint.entries)
    for name, entry in checkpoint.entries.items():
        assert variables[name]["shape"] == list(entry.shape)
        assert variables[name]["bytes"] == entry.size
    shards = sorted((path / "variables").glob("variables.data-*"))
    assert summary["checkpoint"]["total_bytes"] == sum(p.stat().st_size for p in shards)
    assert summary["checkpoint"]["num_shards"] == len(shards)


def test_summary_names_kernels_and_the_losses_that_regularize_them(tmp_path):
    summary = summarize(load_module(str(module_copy("dense_l2", tmp_path))))
    variables = {v["name"]: v for v in summary["meta_graphs"][0]["variables"]}
    kernels = [name for name, v in variables.items() if v.get("kernel")]
    assert sorted(kernels) == ["dense/kernel", "dense_1/kernel"]
    for name in kernels:
        assert variables[name]["regularization_loss"].startswith(name + "/Regularizer/")
    assert variables["dense/bias"]["kernel"] is False


def test_summary_of_dropout_and_tag_sets(tmp_path):
    summary = summarize(load_module(str(module_copy("dropout_train_tags", tmp_path))))
    by_tags = {tuple(m["tag_set"]): m for m in summary["meta_graphs"]}
    assert set(by_tags) == {(), ("train",)}
    assert by_tags[()]["dropouts"] == []
    rates = [d["rate"] for d in by_tags[("train",)]["dropouts"]]
    assert rates and all(0 < rate < 1 for rate in rates)


def test_text_output_is_aligned_and_names_everything(tmp_path):
    path = module_copy("image_feature_vector", tmp_path)
    done = run_cli("show", str(path))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    module = load_module(str(path))
    height, width = module.meta_graphs[0].image_size
    assert "Meta graph with tag set {} (default)" in text
    assert f"image_module_info (image size {height}x{width})" in text
    assert f"images  float32  [?, {height}, {width}, 3]" in text
    rows = [line for line in text.splitlines() if line.startswith("    ") and " float32 " in line and "/" in line]
    assert len(rows) == len(module.variables)
    starts = {line.index("float32") for line in rows}
    assert len(starts) == 1, "the dtype column is aligned"


def test_sparse_and_asset_modules_show_their_assets(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    done = run_cli("show", str(path))
    asset = next((path / "assets").iterdir())
    assert f"<- assets/{asset.name}" in done.stdout
    assert f"{asset.name} ({asset.stat().st_size} bytes)" in done.stdout


def test_tf2_saved_model_summary(tmp_path):
    path = module_copy("tf2_reusable", tmp_path)
    summary = summarize(load_module(str(path)))
    assert summary["format"] == "saved-model" and summary["module_def"] is None
    (meta_graph,) = summary["meta_graphs"]
    assert meta_graph["tag_set"] == ["serve"]
    assert "serving_default" in meta_graph["signatures"]
    assert meta_graph["functions"] > 0


def test_damaged_module_lists_its_problems_and_exits_1(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "variables" / "variables.index").write_bytes(b"garbage")
    done = run_cli("show", str(path))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "Problems:" in done.stdout and "variables/variables.index is corrupt" in done.stdout
    assert "Signature 'default'" in done.stdout, "the readable parts are still shown"


def test_not_a_module_is_a_one_line_error(tmp_path):
    done = run_cli("show", str(tmp_path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [f"hublint show: error: {tmp_path}: not a module: no saved_model.pb or tfhub_module.pb"]


def test_sparse_inputs_are_shown_with_their_three_tensors(tmp_path):
    from tests.module_fixtures import edit_saved_model

    path = module_copy("dense_l2", tmp_path)

    def make_sparse(saved_model):
        info = saved_model.meta_graphs[0].signature_def["default"].inputs["default"]
        name = info.name
        info.coo_sparse.values_tensor_name = name
        info.coo_sparse.indices_tensor_name = name.replace(":0", ":1")
        info.coo_sparse.dense_shape_tensor_name = name.replace(":0", ":2")

    edit_saved_model(path, make_sparse)
    summary = summarize(load_module(str(path)))
    spec = summary["meta_graphs"][0]["signatures"]["default"]["inputs"]["default"]
    assert spec["kind"] == "sparse"
    assert spec["indices"].endswith(":1") and spec["dense_shape"].endswith(":2")


def test_batch_norms_and_dropouts_that_read_alike_are_one_line():
    """A network's many batch norms with the same momentum and mode are one line, which names the
    first and counts the others; readings that differ keep their own lines."""
    from tests.conftest import exported_module

    path = str(exported_module("slim_arg_scope"))
    summary = json.loads(run_cli("show", path, "--format", "json").stdout)
    text = run_cli("show", path).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(("Batch norm:", "Dropout:"))]
    for meta_graph in summary["meta_graphs"]:
        norms = meta_graph["batch_norms"]
        assert len(norms) == 3 and len({(n["momentum"], n["training"]) for n in norms}) == 1, norms
    # {} (inference mode) and {train} (training mode, momentum 0.9997): one line each
    assert len(lines) == len(summary["meta_graphs"]) == 2, lines
    for meta_graph, line in zip(summary["meta_graphs"], lines):
        assert line.endswith(f"({meta_graph['batch_norms'][0]['node']}, and 2 more like it)"), line
    assert "momentum 0.9997, training mode" in lines[1] and "inference mode" in lines[0], lines
