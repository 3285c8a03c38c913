"""TF1 SavedModel in text format: `saved_model.pbtxt` and no `saved_model.pb`.

A `tf.layers.dense` classifier head (50 -> 10) with an L2 kernel regularizer,
saved by `tf.compat.v1.saved_model.Builder(...).save(as_text=True)` with the
`serve` tag set and a `serving_default` signature, as TF1-era exports and
some tools write SavedModels. TensorFlow's loader reads the text form; the
module pass must find the folder and read it like the binary form.

Expected module findings: none
Must not trigger: HUB002 (the text form is a valid SavedModel), HUB201,
HUB202 (the kernel's L2 loss is in `regularization_losses`), HUB209 (a plain
SavedModel keeps its `serving_default` name), HUB211, and every other HUB2xx
rule
"""
import sys

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

WEIGHT_DECAY = 1e-4


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  with tf.Graph().as_default() as graph:
    tf.set_random_seed(0)
    inputs = tf.placeholder(dtype=tf.float32, shape=[None, 50], name="inputs")
    logits = tf.layers.dense(
        inputs, 10,
        kernel_regularizer=tf.keras.regularizers.l2(WEIGHT_DECAY),
        name="dense")
    signature = tf.saved_model.signature_def_utils.predict_signature_def(
        inputs={"inputs": inputs}, outputs={"logits": logits})
    with tf.Session(graph=graph) as session:
      session.run(tf.global_variables_initializer())
      builder = tf.saved_model.Builder(argv[1])
      builder.add_meta_graph_and_variables(
          session, [tf.saved_model.tag_constants.SERVING],
          signature_def_map={
              tf.saved_model.signature_constants
              .DEFAULT_SERVING_SIGNATURE_DEF_KEY: signature})
      builder.save(as_text=True)


if __name__ == "__main__":
  main(sys.argv)
