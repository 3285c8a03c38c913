"""Image module that ignores the common image signature.

The input is named `input` (not `images`) with shape [None, None, None, 3]
(no fixed height and width) and no image_module_info is attached, so
consumers cannot tell what image size the module expects.

Expected module findings: HUB210 (input name, unknown image size, no image
size attached)
Must not trigger: HUB209 (the `default` signature and output exist, batch
is None), HUB201, HUB202, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()


def module_fn():
  images = tf.placeholder(tf.float32, [None, None, None, 3])
  regularizer = tf.keras.regularizers.l2(4e-5)
  net = tf.layers.conv2d(images, 8, 3, strides=2, padding="same",
                         activation=tf.nn.relu, kernel_regularizer=regularizer)
  features = tf.reduce_mean(net, axis=[1, 2])
  hub.add_signature(inputs={"input": images}, outputs={"default": features})


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
