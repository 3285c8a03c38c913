"""An audio-feature module whose batch norm is frozen in inference mode.

The `train` tag set passes is_training=True, but the batch-norm call says
training=False, so fine-tuning can never update its statistics.
Run: python batchnorm_training_fixed.py EXPORT_DIR
"""
import sys

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

NUM_MEL_BINS = 64


def module_fn(is_training=False, dropout_rate=0.1, batchnorm_momentum=0.9):
  spectrogram = tf.placeholder(tf.float32, shape=[None, 96, NUM_MEL_BINS, 1])
  regularizer = tf.keras.regularizers.l2(1e-4)
  net = tf.layers.conv2d(spectrogram, 32, 3, padding="same",
                         kernel_regularizer=regularizer)
  net = tf.layers.batch_normalization(net, momentum=batchnorm_momentum,
                                      training=False)
  net = tf.nn.relu(net)
  net = tf.reduce_mean(net, axis=[1, 2])
  net = tf.layers.dropout(net, rate=dropout_rate, training=is_training)
  embedding = tf.layers.dense(net, 128, kernel_regularizer=regularizer)
  hub.add_signature(inputs=spectrogram, outputs=dict(default=embedding))


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
