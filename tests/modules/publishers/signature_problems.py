"""Dense module with only a named signature and a fixed batch size.

The publisher named the signature "embed" (no `default` signature, so
`module(inputs)` fails for every consumer) and gave the input placeholder a
fixed batch dimension of 8.

Expected module findings: HUB209 (no `default` signature; fixed batch
dimension 8 on input `default` of signature `embed`)
Must not trigger: HUB201, HUB202 (kernels are regularized), and every other
HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

BATCH_SIZE = 8


def module_fn():
  inputs = tf.placeholder(dtype=tf.float32, shape=[BATCH_SIZE, 50])
  regularizer = tf.keras.regularizers.l2(1e-4)
  hidden = tf.layers.dense(inputs, 20, activation=tf.nn.relu,
                           kernel_regularizer=regularizer)
  embedding = tf.layers.dense(hidden, 10, kernel_regularizer=regularizer)
  hub.add_signature("embed", inputs=inputs, outputs=embedding)


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
