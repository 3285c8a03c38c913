"""TF1 SavedModel like a TFMA eval graph: serialized Examples parsed in the graph.

A string placeholder of serialized `tf.train.Example`s feeds
`tf.io.parse_example` (ParseExampleV2); the parsed features `age` [None,1]
and `income` [None,3] feed a small dense model (L2-regularized kernel).
Signature `eval` takes the serialized examples; signature `serving_default`
exposes the parsed features themselves as inputs, as TFMA eval graphs do.
It also exposes `income_scaled = income * income_scale`, where
`income_scale` is a variable: feeding that input skips the scaling (and its
variable), so the signature offers two inputs that disagree.

Expected module findings: HUB209 (warning: input `income_scaled` of
`serving_default` is computed from a variable and another input)
Must not trigger: HUB209 errors (the parsed features are fine inputs),
HUB213 (the Builder's saver), HUB201, HUB202, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  with tf.Graph().as_default():
    tf.set_random_seed(0)
    examples = tf.placeholder(tf.string, [None], name="input_example_tensor")
    features = tf.io.parse_example(examples, {
        "age": tf.io.FixedLenFeature([1], tf.float32, default_value=[0.0]),
        "income": tf.io.FixedLenFeature([3], tf.float32,
                                        default_value=[0.0, 0.0, 0.0]),
    })
    income_scale = tf.Variable([0.5, 0.25, 0.125], name="income_scale",
                               trainable=False)
    income_scaled = tf.multiply(features["income"], income_scale,
                                name="income_scaled")
    inputs = tf.concat([features["age"], income_scaled], axis=1)
    regularizer = tf.keras.regularizers.l2(1e-4)
    logits = tf.layers.dense(inputs, 2, kernel_regularizer=regularizer,
                             name="logits")
    probabilities = tf.nn.softmax(logits, name="probabilities")

    def info(tensor):
      return tf.saved_model.build_tensor_info(tensor)

    eval_signature = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={"examples": info(examples)},
        outputs={"probabilities": info(probabilities)},
        method_name=tf.saved_model.PREDICT_METHOD_NAME)
    features_signature = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={"age": info(features["age"]),
                "income": info(features["income"]),
                "income_scaled": info(income_scaled)},
        outputs={"probabilities": info(probabilities)},
        method_name=tf.saved_model.PREDICT_METHOD_NAME)
    builder = tf.saved_model.Builder(argv[1])
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      builder.add_meta_graph_and_variables(
          session, [tf.saved_model.SERVING],
          signature_def_map={"eval": eval_signature,
                             "serving_default": features_signature},
          strip_default_attrs=True)
    builder.save()


if __name__ == "__main__":
  main(sys.argv)
