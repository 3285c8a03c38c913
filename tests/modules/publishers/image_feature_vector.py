"""Small image feature-vector module with the common image signature.

Input `images` float32 [None, 32, 32, 3], two strided L2-regularized convs and
a global average pool, `default` output [None, 16], and the image size
attached with hub.attach_image_module_info.

Expected module findings: none
Must not trigger: HUB210 (signature follows the common image signature),
HUB201, HUB202, and every other HUB2xx rule
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

IMAGE_SIZE = 32
WEIGHT_DECAY = 4e-5


def module_fn():
  images = tf.placeholder(tf.float32, [None, IMAGE_SIZE, IMAGE_SIZE, 3])
  regularizer = tf.keras.regularizers.l2(WEIGHT_DECAY)
  net = tf.layers.conv2d(images, 8, 3, strides=2, padding="same",
                         activation=tf.nn.relu, kernel_regularizer=regularizer,
                         name="conv1")
  net = tf.layers.conv2d(net, 16, 3, strides=2, padding="same",
                         activation=tf.nn.relu, kernel_regularizer=regularizer,
                         name="conv2")
  features = tf.reduce_mean(net, axis=[1, 2], name="feature_vector")
  hub.add_signature(inputs={"images": images}, outputs={"default": features})
  image_module_info = hub.ImageModuleInfo()
  image_module_info.default_image_size.height = IMAGE_SIZE
  image_module_info.default_image_size.width = IMAGE_SIZE
  hub.attach_image_module_info(image_module_info)


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
