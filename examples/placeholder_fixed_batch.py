"""An image feature module traced with the training batch size.

The images placeholder has a batch dimension of 32, so consumers cannot feed
a single image or a batch of any other size.
Run: python placeholder_fixed_batch.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

BATCH_SIZE = 32
IMAGE_SIZE = 64


def module_fn():
  images = tf.placeholder(tf.float32,
                          shape=[BATCH_SIZE, IMAGE_SIZE, IMAGE_SIZE, 3])
  regularizer = tf.keras.regularizers.l2(1e-4)
  net = tf.layers.conv2d(images, 16, 3, strides=2, activation=tf.nn.relu,
                         kernel_regularizer=regularizer)
  net = tf.layers.conv2d(net, 32, 3, strides=2, activation=tf.nn.relu,
                         kernel_regularizer=regularizer)
  features = tf.reduce_mean(net, axis=[1, 2])
  hub.add_signature(inputs=dict(images=images), outputs=dict(default=features))


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
