"""Dense module whose default signature has no `default` output.

The default signature exists, but its outputs are named `logits` and
`embedding` only, and its input is not a placeholder: the publisher passed
the preprocessed tensor (`features / 255.0`) to hub.add_signature instead of
the placeholder itself.

Expected module findings: HUB209 (warning: `default` output missing)
Must not trigger: HUB209 about the input (`features / 255.0` reads only a
placeholder and a constant: feeding it skips no variable and no other
input), HUB201, HUB202, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn():
  features = tf.placeholder(dtype=tf.float32, shape=[None, 50])
  scaled = features / 255.0
  regularizer = tf.keras.regularizers.l2(1e-4)
  embedding = tf.layers.dense(scaled, 20, activation=tf.nn.relu,
                              kernel_regularizer=regularizer)
  logits = tf.layers.dense(embedding, 10, kernel_regularizer=regularizer)
  hub.add_signature(inputs=scaled,
                    outputs={"logits": logits, "embedding": embedding})


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  spec = hub.create_module_spec(module_fn)
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
