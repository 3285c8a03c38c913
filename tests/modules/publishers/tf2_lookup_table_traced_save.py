"""TF2 SavedModel of a tf.Module holding a MutableHashTable (custom saving).

A `tf.lookup.experimental.MutableHashTable` (string -> float32) filled at
export time, and a `__call__(keys)` that looks keys up and scales them by a
variable. The table saves itself through its own tensors, so
`tf.saved_model.save` traces `_traced_save` / `_traced_restore` functions
(SaveV2, RestoreV2, MergeV2Checkpoints, StringJoin, ShardedFilename in the
function library) and names them in the object graph as the table's
saveable object, next to the SavedModel's own saver.

Expected module findings: HUB216 (no `variables` / `regularization_losses`
attributes: not the point here)
Must not trigger: HUB213 (the generated save/restore functions are
TensorFlow's checkpointing, not the module's), HUB209, and every other
HUB2xx rule
"""
import sys

import tensorflow as tf


class Scorer(tf.Module):

  def __init__(self):
    super().__init__()
    self.table = tf.lookup.experimental.MutableHashTable(
        key_dtype=tf.string, value_dtype=tf.float32, default_value=0.0)
    self.table.insert(tf.constant(["a", "b", "c"]),
                      tf.constant([1.0, 2.0, 3.0]))
    self.scale = tf.Variable(2.0, name="scale")

  @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
  def __call__(self, keys):
    return self.table.lookup(keys) * self.scale


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  scorer = Scorer()
  tf.saved_model.save(scorer, argv[1],
                      signatures={"serving_default": scorer.__call__})


if __name__ == "__main__":
  main(sys.argv)
