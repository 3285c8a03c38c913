"""TF1 SavedModel in the style of TF Serving's half_plus_two test model.

Written with `tf.compat.v1.saved_model.Builder` (which adds its own sharded
`tf.train.Saver` and records it in `saver_def`), tag set {serve}; a stray
second `tf.train.Saver` made before it holds `save/`, so the builder's
saver is `save_1/`. As in TF Serving's examples, the signature inputs are
not the placeholders themselves: `x = tf.identity(placeholder)`, and the
`regress_x2_to_y2` signature reads `x2 = tf.identity(parsed)` where `parsed`
is a `tf.io.parse_example` (ParseExampleV2) output of the serialized-Example
placeholder. Input `offsets` has the fixed rank-1 shape [2] (two numbers,
not a batch). y = a * x + b + sum(offsets).

Expected module findings: none
Must not trigger: HUB209 (Identity over a placeholder and a ParseExampleV2
output are fine inputs; [2] is rank 1, not a fixed batch), HUB213 (SaveV2 /
RestoreV2 / MergeV2Checkpoints of `save_1/` belong to the saver named in
`saver_def`, those of `save/` to a saver whose file name is a placeholder
that no signature runs), and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  with tf.Graph().as_default():
    a = tf.Variable(0.5, name="a")
    b = tf.Variable(2.0, name="b")
    x_in = tf.placeholder(tf.float32, [None], name="x_in")
    x = tf.identity(x_in, name="x")
    offsets = tf.placeholder(tf.float32, [2], name="offsets")
    y = tf.add(a * x + b, tf.reduce_sum(offsets), name="y")

    examples = tf.placeholder(tf.string, [None], name="tf_example")
    parsed = tf.io.parse_example(
        examples, {"x2": tf.io.FixedLenFeature([1], tf.float32,
                                               default_value=[0.0])})
    x2 = tf.identity(parsed["x2"], name="x2")
    y2 = tf.add(a * x2, b, name="y2")

    # A stray saver, as a training script leaves behind: it takes the scope
    # `save/`, so the builder's own saver (the one in `saver_def`) is `save_1/`.
    tf.train.Saver(sharded=True)
    builder = tf.saved_model.Builder(argv[1])
    predict = tf.saved_model.predict_signature_def(
        inputs={"x": x, "offsets": offsets}, outputs={"y": y})
    regress = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={"x2": tf.saved_model.build_tensor_info(x2)},
        outputs={"y2": tf.saved_model.build_tensor_info(y2)},
        method_name=tf.saved_model.REGRESS_METHOD_NAME)
    classify = tf.saved_model.classification_signature_def(
        examples=examples, classes=tf.as_string(y2), scores=y2)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      builder.add_meta_graph_and_variables(
          session, [tf.saved_model.SERVING],
          signature_def_map={
              "serving_default": predict,
              "regress_x2_to_y2": regress,
              "classify_x2_to_y2": classify,
          },
          strip_default_attrs=True)
    builder.save()


if __name__ == "__main__":
  main(sys.argv)
