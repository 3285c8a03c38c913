from hublint.finding import Severity
from hublint.module import proto
from hublint.module.rules._signatures import dims, is_float, shape_text
from hublint.rule import ModuleRule


class CommonSignatureMismatch(ModuleRule):
    id = "HUB210"
    name = "common-signature-mismatch"
    severity = Severity.WARNING
    summary = (
        "Checks TF1 Hub modules that look like image or text modules against the common signatures. "
        "Image: a float32 input `images` of shape `[None, H, W, 3]` whose height and width are fixed or "
        "attached as `image_module_info`, and a rank-2 `default` output. Text: exactly one rank-1 string "
        "input (any name) and a float32 `[None, N]` `default` output. TF2 SavedModels are not checked."
    )
    rationale = (
        "Consumers swap modules of one kind without changing code: `hub.image_embedding_column`, "
        "`hub.text_embedding_column` and `hub.get_expected_image_size` rely on the common signatures. "
        "A module that deviates silently breaks those helpers and every pipeline built on them."
    )
    message = "{problem}"
    fix = "{fix}"
    bad_modules = ("image_bad_signature", "text_bad_signature")
    good_modules = (
        "batchnorm_fused_high_momentum", "batchnorm_fused_ok", "batchnorm_keras_no_update_ops",
        "batchnorm_training_in_inference", "batchnorm_unfused", "dense_l2", "dense_noreg",
        "dense_partial_reg", "dropout_always_on", "dropout_cond_training_input", "dropout_keep_prob",
        "dropout_train_tags", "ftrl_in_graph", "ftrl_zero_strength", "image_feature_vector", "large_constant",
        "legacy_variables", "optimizer_slots_missing", "signature_no_default_output", "signature_problems",
        "slim_arg_scope", "slim_inplace_updates", "text_embedding", "tf2_bare", "tf2_reusable", "unsafe_ops",
    )
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    images = tf.placeholder(tf.float32, [None, None, None, 3])\n"
        "    net = tf.layers.conv2d(images, 8, 3, activation=tf.nn.relu)\n"
        "    features = tf.reduce_mean(net, axis=[1, 2])\n"
        "    hub.add_signature(inputs={'input': images}, outputs={'default': features})\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "    images = tf.placeholder(tf.float32, [None, 224, 224, 3])\n"
        "    net = tf.layers.conv2d(images, 8, 3, activation=tf.nn.relu)\n"
        "    features = tf.reduce_mean(net, axis=[1, 2])\n"
        "    hub.add_signature(inputs={'images': images}, outputs={'default': features})\n"
        "    hub.attach_image_module_info(hub.ImageModuleInfo(\n"
        "        default_image_size=hub.ImageModuleInfo.InputSize(height=224, width=224)))\n\n\n"
        "spec = hub.create_module_spec(module_fn)\n",
    )

    def check(self, module, config):
        if not module.is_tf1_hub or not module.meta_graphs:
            return
        # Every tag set shares the signatures' interface; the default graph is the one consumers see.
        meta_graph = module.meta_graph(()) or module.meta_graphs[0]
        signature = meta_graph.signatures.get("default")
        if signature is None:
            return  # HUB209
        inputs = {key: signature.inputs[key] for key in sorted(signature.inputs)}
        if any(_is_image(info) for info in inputs.values()) or "images" in inputs or meta_graph.image_size:
            problems = self._image(inputs, signature, meta_graph)
        elif any(info.dtype == proto.DT_STRING for info in inputs.values()):
            problems = self._text(inputs, signature)
        else:
            return
        for problem, fix, node in problems:
            yield self.finding(module.location(meta_graph, node), problem=problem, fix=fix)

    def _image(self, inputs, signature, meta_graph):
        images = [key for key, info in inputs.items() if _is_image(info)]
        key = images[0] if images else "images" if "images" in inputs else None
        if key is None:
            return
        info = inputs[key]
        node = info.name.split(":")[0]
        if key != "images":
            yield (f"image input is named `{key}`; the common image signature names it `images`",
                   f"use `hub.add_signature(inputs={{'images': ...}})` instead of `{key!r}`", node)
        shape = dims(info)
        if info.dtype != proto.DT_FLOAT:
            yield (f"image input `{key}` is {proto.dtype_name(info.dtype)}; the common image signature "
                   "takes float32 values in [0, 1]",
                   "take float32 images in [0, 1] and convert inside the module function", node)
        if shape is None or len(shape) != 4 or shape[3] != 3:
            yield (f"image input `{key}` has shape {shape_text(shape)}; the common image signature is "
                   "[None, height, width, 3]",
                   "take a batch of RGB images, `tf.placeholder(tf.float32, [None, height, width, 3])`", node)
        elif (shape[1] <= 0 or shape[2] <= 0) and meta_graph.image_size is None:
            yield (f"image input `{key}` has unknown height and width {shape_text(shape)} and no "
                   "`image_module_info` attachment gives the expected image size",
                   "fix height and width in the placeholder, or call `hub.attach_image_module_info("
                   "hub.ImageModuleInfo(default_image_size=...))` in the module function", node)
        yield from _default_output(signature, "image")

    def _text(self, inputs, signature):
        strings = {k: v for k, v in inputs.items() if v.dtype == proto.DT_STRING}
        if len(inputs) != 1:
            names = ", ".join(f"`{k}`" for k in inputs)
            node = next(iter(strings.values())).name.split(":")[0]
            yield (f"text module has {len(inputs)} inputs ({names}); the common text signature has exactly "
                   "one rank-1 string input",
                   "take one batch of sentences, `tf.placeholder(tf.string, [None])`, and derive the rest "
                   "inside the module function", node)
            return
        key, info = next(iter(strings.items()))
        shape = dims(info)
        if info.WhichOneof("encoding") != "name" or shape is None or len(shape) != 1:
            shown = "a sparse tensor" if info.WhichOneof("encoding") != "name" else f"shape {shape_text(shape)}"
            yield (f"text input `{key}` has {shown}; the common text signature takes a rank-1 string "
                   "tensor of sentences, [None]",
                   "take whole sentences, `tf.placeholder(tf.string, [None])`, and tokenize inside the "
                   "module function (e.g. `tf.strings.split`)", info.name.split(":")[0])
        yield from _default_output(signature, "text")


def _is_image(info) -> bool:
    shape = dims(info)
    return info.WhichOneof("encoding") == "name" and is_float(info) and shape is not None and len(shape) == 4 \
        and shape[3] in (1, 3, 4)


def _default_output(signature, kind: str):
    if "default" not in signature.outputs:
        return  # HUB209
    info = signature.outputs["default"]
    shape = dims(info)
    if info.WhichOneof("encoding") != "name" or info.dtype != proto.DT_FLOAT or shape is None or len(shape) != 2:
        what = f"{proto.dtype_name(info.dtype)} {shape_text(shape)}" if info.WhichOneof("encoding") == "name" \
            else "not a dense tensor"
        yield (f"`default` output of this {kind} module is {what}; the common {kind} signature returns "
               "float32 [None, N]",
               "return one float32 vector per example as the `default` output", info.name.split(":")[0])
