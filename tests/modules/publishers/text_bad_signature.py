"""Text module that takes pre-tokenized, padded input instead of sentences.

Input `tokens` is a string tensor of shape [None, None] (rank 2, padded with
""), looked up in a vocabulary asset and averaged. It is clearly a text
module, but the common text signature wants exactly one rank-1 string input.

Expected module findings: HUB210 (rank-2 string input)
Must not trigger: HUB201, HUB202 (no kernels), HUB209, HUB213, HUB214, and
every other HUB2xx rule
"""
import os
import shutil
import sys
import tempfile

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

EMBEDDING_DIM = 8
VOCABULARY = ["<pad>", "the", "cat", "sat", "on", "mat", "dog", "ran"]


def make_module_fn(vocabulary_file, vocabulary_size):
  def module_fn():
    tokens = tf.placeholder(dtype=tf.string, shape=[None, None])
    table = tf.lookup.StaticVocabularyTable(
        tf.lookup.TextFileInitializer(
            vocabulary_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
            tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
        num_oov_buckets=1)
    ids = table.lookup(tokens)
    embeddings = tf.get_variable(
        "embeddings", [vocabulary_size + 1, EMBEDDING_DIM],
        initializer=tf.random_normal_initializer(stddev=0.1))
    vectors = tf.nn.embedding_lookup(embeddings, ids)
    mask = tf.cast(tf.not_equal(tokens, ""), tf.float32)[:, :, None]
    mean = (tf.reduce_sum(vectors * mask, axis=1) /
            tf.maximum(tf.reduce_sum(mask, axis=1), 1.0))
    hub.add_signature(inputs={"tokens": tokens}, outputs={"default": mean})
  return module_fn


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  workdir = tempfile.mkdtemp()
  try:
    vocabulary_file = os.path.join(workdir, "vocab.txt")
    with open(vocabulary_file, "w") as f:
      f.write("\n".join(VOCABULARY) + "\n")
    spec = hub.create_module_spec(
        make_module_fn(vocabulary_file, len(VOCABULARY)))
    with tf.Graph().as_default():
      module = hub.Module(spec)
      with tf.Session() as session:
        session.run(tf.global_variables_initializer())
        module.export(argv[1], session)
  finally:
    shutil.rmtree(workdir)


if __name__ == "__main__":
  main(sys.argv)
