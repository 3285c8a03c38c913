"""Tiny image module whose batch norm is hard-wired to training mode.

`tf.layers.batch_normalization(net, training=True)` in a module exported with
one (empty) tag set only: every inference normalizes with the statistics of
the consumer's batch and updates the moving averages as a side effect.

Expected module findings: HUB206 (FusedBatchNormV3 in training mode in the
default graph), HUB207 (batch norm but no `train` tag set)
Must not trigger: HUB205 (momentum 0.9), HUB208 (no train graph; the updates
are in `update_ops` anyway), HUB210, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

IMAGE_SIZE = 8


def module_fn():
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  net = tf.layers.conv2d(images, 8, 3, padding="same", use_bias=False,
                         kernel_regularizer=tf.keras.regularizers.l2(4e-5))
  net = tf.layers.batch_normalization(net, momentum=0.9, training=True)
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
  spec = hub.create_module_spec(module_fn)
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
