"""Tiny tf-slim image module whose batch norm updates its statistics in place.

`slim.batch_norm(..., decay=0.9, updates_collections=None)`: instead of
putting the moving-average updates into `update_ops`, tf-slim makes the batch
norm output depend on them (control dependencies), so they run with every
training step. `update_ops` is empty in the train graph and that is fine.

Expected module findings: none
Must not trigger: HUB208 (updates run in place), HUB205 (decay 0.9), HUB201,
HUB202, HUB206, HUB207, HUB210, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
import tf_slim as slim

tf.disable_v2_behavior()

IMAGE_SIZE = 8


def module_fn(is_training=False):
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  with slim.arg_scope([slim.conv2d],
                      weights_regularizer=slim.l2_regularizer(4e-5),
                      normalizer_fn=slim.batch_norm):
    with slim.arg_scope([slim.batch_norm], decay=0.9, is_training=is_training,
                        updates_collections=None):
      net = slim.conv2d(images, 8, [3, 3], scope="conv1")
      net = slim.conv2d(net, 8, [3, 3], stride=2, scope="conv2")
  features = tf.reduce_mean(net, axis=[1, 2], name="global_pool")
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
