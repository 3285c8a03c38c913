"""Tiny tf-slim image module with regularizers and batch norm set by arg_scope.

slim.conv2d / slim.fully_connected under one `slim.arg_scope` that supplies
`weights_regularizer=slim.l2_regularizer(4e-5)`, `normalizer_fn=slim.batch_norm`
and `normalizer_params={"decay": 0.9997, "is_training": is_training}` -- the
Inception-style defaults. Default and `train` tag sets. The conv layers take
tf-slim's own fused batch norm, the fully-connected layer the core (Keras
legacy) one: two different graph patterns for the same decay.

Expected module findings: HUB205 (decay 0.9997 > 0.99, train graph)
Must not trigger: HUB201, HUB202 (every weight is regularized), HUB206,
HUB207, HUB208 (slim's updates go to `update_ops`), HUB210, and every other
HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim

tf.disable_v2_behavior()

IMAGE_SIZE = 8
NUM_FEATURES = 16


def module_fn(is_training=False):
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  batch_norm_params = {
      "decay": 0.9997,
      "epsilon": 0.001,
      "is_training": is_training,
  }
  with slim.arg_scope([slim.conv2d, slim.fully_connected],
                      weights_regularizer=slim.l2_regularizer(4e-5),
                      normalizer_fn=slim.batch_norm,
                      normalizer_params=batch_norm_params):
    net = slim.conv2d(images, 8, [3, 3], scope="Conv2d_1a_3x3")
    net = slim.conv2d(net, 8, [3, 3], stride=2, scope="Conv2d_2a_3x3")
    net = slim.flatten(net)
    net = slim.fully_connected(net, NUM_FEATURES, scope="Bottleneck")
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
                     ({"train"}, {"is_training": True})])
  with tf.Graph().as_default():
    module = hub.Module(spec)
    with tf.Session() as session:
      session.run(tf.global_variables_initializer())
      module.export(argv[1], session)


if __name__ == "__main__":
  main(sys.argv)
