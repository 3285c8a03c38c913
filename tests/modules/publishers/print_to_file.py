"""TF2 SavedModel whose `__call__` prints its input to a file.

A tf.Module with one variable whose `__call__(x)` returns `x * scale` and on
the way runs `tf.print(x, output_stream="file:///tmp/hublint-print-test.txt")`:
a PrintV2 op whose `output_stream` attribute names a file, so every
consumer call appends to a file on the consumer's machine. A second
`tf.print` writes to stderr (the default), which is the process's own output.

Expected module findings: HUB213 (the PrintV2 writing to
/tmp/hublint-print-test.txt), HUB216 (no `variables` /
`regularization_losses` attributes: not the point here)
Must not trigger: HUB213 for the `tf.print` to stderr, HUB209, and every
other HUB2xx rule
"""
import sys

import tensorflow as tf


class Logged(tf.Module):

  def __init__(self):
    super().__init__()
    self.scale = tf.Variable(2.0, name="scale")

  @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
  def __call__(self, x):
    tf.print("batch size", tf.shape(x)[0])  # stderr: fine
    tf.print(x, output_stream="file:///tmp/hublint-print-test.txt")
    return x * self.scale


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  logged = Logged()
  tf.saved_model.save(logged, argv[1])


if __name__ == "__main__":
  main(sys.argv)
