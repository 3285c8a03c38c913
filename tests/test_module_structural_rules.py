"""The structural module rules, told as stories: the real module that fires, the one that does not,
and the real module damaged in exactly the way the rule is about."""

from __future__ import annotations

import os

from hublint.module import proto
from hublint.module.reader import load_module
from tests.module_fixtures import edit_saved_model, findings_of, module_copy, node, read_saved_model


def _messages(findings) -> list[str]:
    return [finding.message for finding in findings]


# -- HUB209 signature-invalid ---------------------------------------------------------------

def test_named_signature_only_and_fixed_batch_are_invalid(tmp_path):
    findings = findings_of(module_copy("signature_problems", tmp_path), "HUB209")
    messages = _messages(findings)
    assert any("no `default` signature (signatures: embed)" in m for m in messages), messages
    assert any("fixed batch dimension 8" in m for m in messages), messages
    assert all(f.location.tag_set == () for f in findings)


def test_default_output_missing(tmp_path):
    # The input `features / 255.0` reads only a placeholder and a constant: feeding it skips no
    # variable and no other input, so it is not reported (RULES.md, HUB209).
    messages = _messages(findings_of(module_copy("signature_no_default_output", tmp_path), "HUB209"))
    assert messages == ["signature `default` has no `default` output (outputs: embedding, logits)"]


def test_a_signature_naming_a_tensor_the_graph_lacks(tmp_path):
    path = module_copy("dense_l2", tmp_path)

    def rename_output(saved_model):
        outputs = saved_model.meta_graphs[0].signature_def["default"].outputs
        outputs["default"].name = "no_such_node:0"

    edit_saved_model(path, rename_output)
    messages = _messages(findings_of(path, "HUB209"))
    assert messages == ["output `default` of signature `default` names tensor 'no_such_node:0', which is not in the graph"]


def test_tf2_saved_model_needs_no_default_signature(tmp_path):
    path = module_copy("tf2_reusable", tmp_path)
    assert "default" not in load_module(str(path)).meta_graphs[0].signatures
    assert findings_of(path, "HUB209") == []


def test_well_formed_modules_have_valid_signatures(tmp_path):
    for name in ("dense_l2", "image_feature_vector", "text_embedding"):
        assert findings_of(module_copy(name, tmp_path), "HUB209") == [], name


# -- HUB210 common-signature-mismatch -------------------------------------------------------

def test_image_module_with_unnamed_unsized_input(tmp_path):
    messages = _messages(findings_of(module_copy("image_bad_signature", tmp_path), "HUB210"))
    assert any("named `input`" in m and "`images`" in m for m in messages), messages
    assert any("unknown height and width" in m and "image_module_info" in m for m in messages), messages


def test_text_module_with_rank_2_tokens(tmp_path):
    messages = _messages(findings_of(module_copy("text_bad_signature", tmp_path), "HUB210"))
    assert messages == [
        "text input `tokens` has shape [None, None]; the common text signature takes a rank-1 string "
        "tensor of sentences, [None]"
    ]


def test_common_signatures_pass(tmp_path):
    for name in ("image_feature_vector", "text_embedding", "dense_l2"):
        assert findings_of(module_copy(name, tmp_path), "HUB210") == [], name


def test_image_module_with_a_second_input_channel_layout_is_checked(tmp_path):
    path = module_copy("image_feature_vector", tmp_path)

    def uint8_images(saved_model):
        saved_model.meta_graphs[0].signature_def["default"].inputs["images"].dtype = proto.DT_UINT8

    edit_saved_model(path, uint8_images)
    assert any("uint8" in m for m in _messages(findings_of(path, "HUB210")))


# -- HUB211 checkpoint-inconsistent ---------------------------------------------------------

def test_missing_shard(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    shard = next((path / "variables").glob("variables.data-*"))
    shard.unlink()
    assert _messages(findings_of(path, "HUB211")) == [f"checkpoint shard variables/{shard.name} is missing"]


def test_truncated_shard(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    shard = next((path / "variables").glob("variables.data-*"))
    with open(shard, "r+b") as handle:
        handle.truncate(shard.stat().st_size // 2)
    messages = _messages(findings_of(path, "HUB211"))
    assert messages and all("truncated shard" in m for m in messages)


def test_missing_index_with_graph_variables(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    (path / "variables" / "variables.index").unlink()
    messages = _messages(findings_of(path, "HUB211"))
    assert len(messages) == 1 and "variables/variables.index is missing" in messages[0]


def test_graph_variable_missing_from_checkpoint(tmp_path):
    path = module_copy("dense_l2", tmp_path)

    def add_variable(saved_model):
        meta_graph = saved_model.meta_graphs[0]
        extra = proto.VariableDef(variable_name="extra/kernel:0", is_resource=True)
        meta_graph.collection_def["variables"].bytes_list.value.append(extra.SerializeToString())

    edit_saved_model(path, add_variable)
    findings = findings_of(path, "HUB211")
    assert [f.location.node for f in findings] == ["extra/kernel"]
    assert "not in the checkpoint" in findings[0].message


def test_shape_and_dtype_mismatch(tmp_path):
    path = module_copy("dense_l2", tmp_path)
    kernel = "dense/kernel"

    def change_kernel(saved_model):
        variable = node(saved_model.meta_graphs[0], kernel)
        variable.attr["shape"].shape.dim[0].size += 1
        variable.attr["dtype"].type = proto.DT_DOUBLE

    edit_saved_model(path, change_kernel)
    messages = _messages(findings_of(path, "HUB211"))
    assert any("float64 in the graph but float32 in the checkpoint" in m for m in messages), messages
    assert any("has shape [51, 20] in the graph but [50, 20] in the checkpoint" in m for m in messages), messages


def test_consistent_checkpoints(tmp_path):
    for name in ("dense_l2", "text_embedding", "legacy_variables", "tf2_reusable"):
        assert findings_of(module_copy(name, tmp_path), "HUB211") == [], name


# -- HUB213 unsafe-op ------------------------------------------------------------------------

def test_read_file_and_py_func_are_unsafe(tmp_path):
    findings = findings_of(module_copy("unsafe_ops", tmp_path), "HUB213")
    ops = {f.message.split()[0] for f in findings}
    assert ops == {"ReadFile", "PyFunc"}
    assert any("is not a module asset" in f.message for f in findings)


def test_the_saved_models_own_saver_is_not_unsafe(tmp_path):
    path = module_copy("tf2_reusable", tmp_path)
    graph = load_module(str(path)).meta_graphs[0].graph
    ops = {n.op for scope in graph.scopes() for n in scope}
    assert "SaveV2" in ops and "RestoreV2" in ops, "the TF2 saver functions are in the library"
    assert findings_of(path, "HUB213") == []


def test_a_save_op_in_a_hub_module_graph_is_unsafe(tmp_path):
    path = module_copy("dense_l2", tmp_path)

    def add_save(saved_model):
        graph = saved_model.meta_graphs[0].graph_def
        graph.node.add(name="leak/SaveV2", op="SaveV2", input=["dense/kernel"])

    edit_saved_model(path, add_save)
    messages = _messages(findings_of(path, "HUB213"))
    assert messages == ["SaveV2 'leak/SaveV2' reads or writes a checkpoint outside the module's saver"]


def test_vocabulary_asset_read_is_safe(tmp_path):
    for name in ("text_embedding", "text_bad_signature", "dense_l2"):
        assert findings_of(module_copy(name, tmp_path), "HUB213") == [], name


# -- HUB214 asset-problem --------------------------------------------------------------------

def _set_asset_filename(path, filename: str) -> None:
    def edit(saved_model):
        for meta_graph in saved_model.meta_graphs:
            for item in meta_graph.collection_def["saved_model_assets"].any_list.value:
                asset = proto.AssetFileDef.FromString(item.value)
                asset.filename = filename
                item.value = asset.SerializeToString()

    edit_saved_model(path, edit)


def test_asset_path_escaping_the_module(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    _set_asset_filename(path, "../../etc/passwd")
    assert _messages(findings_of(path, "HUB214")) == ["asset '../../etc/passwd' escapes the module's assets/ folder"]


def test_absolute_asset_path(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    _set_asset_filename(path, "/home/me/vocab.txt")
    assert _messages(findings_of(path, "HUB214")) == ["asset '/home/me/vocab.txt' is an absolute path, not a file in assets/"]


def test_missing_asset_file(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    asset = next((path / "assets").iterdir())
    asset.unlink()
    assert _messages(findings_of(path, "HUB214")) == [f"asset file assets/{asset.name} is missing"]


def test_asset_linked_outside_the_module(tmp_path):
    path = module_copy("text_embedding", tmp_path)
    asset = next((path / "assets").iterdir())
    outside = tmp_path / "elsewhere.txt"
    outside.write_bytes(asset.read_bytes())
    asset.unlink()
    os.symlink(outside, asset)
    messages = _messages(findings_of(path, "HUB214"))
    assert messages == [f"asset file assets/{asset.name} is a link to {outside.resolve()}, outside the module"]


def test_asset_tensor_without_a_file(tmp_path):
    path = module_copy("text_embedding", tmp_path)

    def drop_asset_map(saved_model):
        del saved_model.meta_graphs[0].collection_def["saved_model_assets"]

    edit_saved_model(path, drop_asset_map)
    messages = _messages(findings_of(path, "HUB214"))
    assert len(messages) == 1 and "is not mapped to a file in assets/" in messages[0]


def test_real_assets_are_fine(tmp_path):
    for name in ("text_embedding", "text_bad_signature", "dense_l2"):
        assert findings_of(module_copy(name, tmp_path), "HUB214") == [], name


# -- HUB215 oversized-constant ---------------------------------------------------------------

def test_large_constant_below_the_default_limit_is_not_reported(tmp_path):
    assert findings_of(module_copy("large_constant", tmp_path), "HUB215") == []


def test_large_constant_above_a_lower_limit(tmp_path):
    path = module_copy("large_constant", tmp_path)
    findings = findings_of(path, "HUB215", max_constant_bytes=100_000)
    assert [f.location.node for f in findings] == ["projection"]
    value = node(read_saved_model(path).meta_graphs[0], "projection").attr["value"].tensor
    assert f"holds {value.ByteSize()} bytes (float32 [50, 3000]), above the limit of 100000 bytes" in findings[0].message
    assert len(value.tensor_content) == 50 * 3000 * 4


def test_small_constants_are_fine(tmp_path):
    for name in ("dense_l2", "text_embedding", "image_feature_vector"):
        assert findings_of(module_copy(name, tmp_path), "HUB215", max_constant_bytes=100_000) == [], name


def test_train_graph_variables_the_export_never_saved(tmp_path):
    path = module_copy("optimizer_slots_missing", tmp_path)
    module = load_module(str(path))
    default = {v.name for v in module.meta_graph(()).variables}
    train_only = {v.name for v in module.meta_graph(("train",)).variables} - default
    assert train_only, "Adam's slots and beta powers exist only in the train graph"
    findings = findings_of(path, "HUB211")
    assert {f.location.node for f in findings} == train_only
    assert all(f.location.tag_set == ("train",) for f in findings)
