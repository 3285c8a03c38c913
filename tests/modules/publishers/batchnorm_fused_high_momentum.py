"""Tiny image module whose fused batch norm keeps momentum 0.999.

Conv (L2-regularized) -> tf.layers.batch_normalization(momentum=0.999,
training=is_training) -> ReLU -> global average pool on 8x8 RGB images, with
a default and a `train` tag set. The 4-D input makes tf.layers pick the fused
kernel (FusedBatchNormV3); the train graph's moving-average updates are in
`update_ops`. Common image signature, image size attached.

Expected module findings: HUB205 (momentum 0.999 > 0.99, train graph)
Must not trigger: HUB206, HUB207, HUB208, HUB210, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

IMAGE_SIZE = 8


def module_fn(is_training=False):
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  net = tf.layers.conv2d(images, 8, 3, padding="same", use_bias=False,
                         kernel_regularizer=tf.keras.regularizers.l2(4e-5))
  net = tf.layers.batch_normalization(net, momentum=0.999, training=is_training)
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
