"""A tf-slim image feature module in the style of slim's Inception nets.

Regularizers and batch norm come from one `slim.arg_scope`, with Inception's
batch-norm decay of 0.9997: far too slow a moving average to fine-tune on a
small dataset.  Run: python slim_inception_style.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim

tf.disable_v2_behavior()

IMAGE_SIZE = 96
WEIGHT_DECAY = 4e-5


def module_fn(is_training=False):
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  batch_norm_params = {
      "decay": 0.9997,
      "epsilon": 0.001,
      "is_training": is_training,
      "updates_collections": tf.GraphKeys.UPDATE_OPS,
  }
  with slim.arg_scope([slim.conv2d, slim.fully_connected],
                      weights_regularizer=slim.l2_regularizer(WEIGHT_DECAY)):
    with slim.arg_scope([slim.conv2d],
                        normalizer_fn=slim.batch_norm,
                        normalizer_params=batch_norm_params):
      net = slim.conv2d(images, 32, [3, 3], stride=2, scope="Conv2d_1a_3x3")
      net = slim.conv2d(net, 64, [3, 3], scope="Conv2d_2a_3x3")
      net = slim.max_pool2d(net, [3, 3], stride=2, scope="MaxPool_3a_3x3")
      net = tf.reduce_mean(net, axis=[1, 2])
      net = slim.fully_connected(net, 128, scope="Bottleneck")
  hub.add_signature(inputs=dict(images=images), outputs=dict(default=net))
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
                     ({"train"}, {"is_training": True})],
      drop_collections=["moving_vars", tf.GraphKeys.MODEL_VARIABLES])
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
