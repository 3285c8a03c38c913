"""Hand-made reusable tf.Module whose one regularization loss covers one of two kernels.

A tf.Module with two hand-written dense layers as child modules (`encoder`,
`head`, each with `w` read by a MatMul and `b`), `__call__(x, training=False)`
traced for both values of `training`, `variables`, `trainable_variables`, and
`regularization_losses` holding one zero-argument tf.function,
`1e-4 * tf.reduce_sum(encoder.w ** 2)`.

Expected module findings: HUB202 on `head/w` only (named by its object path)
Must not trigger: HUB201 (`regularization_losses` is not empty), HUB202 on
`encoder/w` (covered), HUB216, HUB204 / HUB207 (no dropout), HUB209-HUB215
"""
import sys

import tensorflow as tf


class Dense(tf.Module):

  def __init__(self, units_in, units_out, seed, name=None):
    super().__init__(name=name)
    init = tf.keras.initializers.GlorotUniform(seed=seed)
    self.w = tf.Variable(init([units_in, units_out]), name="w")
    self.b = tf.Variable(tf.zeros([units_out]), name="b")

  def __call__(self, x):
    return tf.matmul(x, self.w) + self.b


class Classifier(tf.Module):
  # tf.Module offers `variables` / `trainable_variables` as properties, which
  # tf.saved_model.save does not store: plain attributes shadow them.
  variables = None
  trainable_variables = None
  regularization_losses = None

  def __init__(self):
    super().__init__()
    self.encoder = Dense(8, 6, seed=0, name="encoder")
    self.head = Dense(6, 4, seed=1, name="head")
    weights = [self.encoder.w, self.encoder.b, self.head.w, self.head.b]
    self.variables = list(weights)
    self.trainable_variables = list(weights)
    encoder_w = self.encoder.w
    self.regularization_losses = [
        tf.function(lambda: 1e-4 * tf.reduce_sum(encoder_w**2),
                    input_signature=[]),
    ]  # Forgot the head's kernel.

  @tf.function
  def __call__(self, x, training=False):
    del training  # Nothing here depends on it.
    return self.head(tf.nn.relu(self.encoder(x)))


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  module = Classifier()
  spec = tf.TensorSpec([None, 8], tf.float32)
  for training in (False, True):
    module.__call__.get_concrete_function(spec, training=training)
  tf.saved_model.save(module, argv[1])


if __name__ == "__main__":
  main(sys.argv)
