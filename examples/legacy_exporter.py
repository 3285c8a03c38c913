"""Trains a regression Estimator around a hub module and exports at each eval.

`tf.estimator.LatestExporter` writes the whole serving model; what
consumers of the hub module need is `hub.LatestModuleExporter`, which
exports the module from the latest checkpoint.
Run: python legacy_exporter.py MODEL_DIR
"""
import sys

import numpy as np
import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

NUM_FEATURES = 20


def module_fn():
  features = tf.placeholder(tf.float32, shape=[None, NUM_FEATURES])
  hidden = tf.layers.dense(features, 16, activation=tf.nn.relu,
                           kernel_regularizer=tf.keras.regularizers.l2(1e-4))
  hub.add_signature(inputs=features, outputs=hidden)


def model_fn(features, labels, mode):
  tower = hub.Module(hub.create_module_spec(module_fn), trainable=True,
                     name="tower")
  predictions = tf.squeeze(tf.layers.dense(tower(features["x"]), 1), axis=1)
  if mode == tf.estimator.ModeKeys.PREDICT:
    return tf.estimator.EstimatorSpec(mode, predictions=predictions)
  loss = tf.losses.mean_squared_error(labels, predictions)
  loss += tf.losses.get_regularization_loss()
  train_op = tf.train.AdamOptimizer(1e-3).minimize(
      loss, global_step=tf.train.get_global_step())
  return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def serving_input_fn():
  x = tf.placeholder(tf.float32, shape=[None, NUM_FEATURES])
  return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s MODEL_DIR" % argv[0])
  rng = np.random.default_rng(0)
  x = rng.normal(size=(512, NUM_FEATURES)).astype(np.float32)
  y = x.sum(axis=1)
  input_fn = tf.estimator.inputs.numpy_input_fn({"x": x}, y, shuffle=True)
  estimator = tf.estimator.Estimator(model_fn, model_dir=argv[1])
  exporter = tf.estimator.LatestExporter("tower", serving_input_fn)
  tf.estimator.train_and_evaluate(
      estimator,
      tf.estimator.TrainSpec(input_fn, max_steps=1000),
      tf.estimator.EvalSpec(input_fn, exporters=[exporter]))


if __name__ == "__main__":
  main(sys.argv)
