"""An image module built from layers imported under other names.

`from tensorflow.compat.v1 import layers` and Keras layers used in a TF1
module function: neither convolution has a kernel regularizer.
Run: python keras_layers_imported.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub
from tensorflow import keras
from tensorflow.compat.v1 import layers

tf.disable_v2_behavior()


def module_fn():
  images = tf.placeholder(tf.float32, shape=[None, 32, 32, 3])
  net = layers.conv2d(images, 16, 3, activation=tf.nn.relu)
  net = keras.layers.Conv2D(32, 3, activation="relu")(net)
  net = keras.layers.GlobalAveragePooling2D()(net)
  logits = layers.dense(net, 10,
                        kernel_regularizer=keras.regularizers.l2(1e-4))
  hub.add_signature(inputs=dict(images=images),
                    outputs=dict(default=net, logits=logits))


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
