"""Tiny image module with the unfused batch-norm kernel and a high momentum.

`tf.layers.batch_normalization(net, momentum=0.9997, fused=False, ...)`: the
moving averages are updated by `AssignMovingAvg` ops that multiply by a decay
constant (1 - momentum) instead of a FusedBatchNormV3 attribute. Default and
`train` tag sets, updates in `update_ops`, common image signature.

Expected module findings: HUB205 (momentum 0.9997 > 0.99, unfused pattern)
Must not trigger: HUB206, HUB207, HUB208, HUB210, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

IMAGE_SIZE = 8
BATCH_NORM_MOMENTUM = 0.9997


def module_fn(is_training=False):
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  net = tf.layers.conv2d(images, 8, 3, padding="same", use_bias=False,
                         kernel_regularizer=tf.keras.regularizers.l2(4e-5))
  net = tf.layers.batch_normalization(net, momentum=BATCH_NORM_MOMENTUM,
                                      fused=False, training=is_training)
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
