"""Tiny image module built from Keras layers inside a TF1 module_fn.

tf.keras.layers.Conv2D (with kernel_regularizer) and
tf.keras.layers.BatchNormalization(momentum=0.9) called with
`training=is_training` in graph mode, default and `train` tag sets. Keras
layers keep their losses and updates on the layer object; in TF1 graph mode
they do not reach the REGULARIZATION_LOSSES / UPDATE_OPS collections that
hub exports (see tests/modules/README.md for what was observed), a trap for
publishers moving from tf.layers to Keras.

Expected module findings: HUB201, HUB202 (conv2d/kernel: the Keras
regularizer loss is not exported), HUB208 (moving-average updates in the
train graph are not in `update_ops`)
Must not trigger: HUB205 (momentum 0.9), HUB206, HUB207, HUB210, and every
other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

IMAGE_SIZE = 8


def module_fn(is_training=False):
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  conv = tf.keras.layers.Conv2D(
      8, 3, padding="same", use_bias=False,
      kernel_regularizer=tf.keras.regularizers.l2(4e-5))
  batch_norm = tf.keras.layers.BatchNormalization(momentum=0.9)
  net = conv(images)
  net = batch_norm(net, training=is_training)
  net = tf.nn.relu(net)
  features = tf.reduce_mean(net, axis=[1, 2])
  hub.add_signature(inputs=dict(images=images),
                    outputs=dict(default=features))
  info = hub.ImageModuleInfo()
  info.default_image_size.height = IMAGE_SIZE
  info.default_image_size.width = IMAGE_SIZE
  hub.attach_image_module_info(info)


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  spec = hub.create_module_spec(
      module_fn,
      tags_and_args=[(set(), {"is_training": False}),
                     ({"train"}, {"is_training": True})])
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
