"""Small sentence-embedding module in the style of TF Hub's text exporter.

A vocabulary file (an asset, copied into `assets/` by hub) feeds a
StaticVocabularyTable; sentences are split on whitespace, token ids look up
rows of an embedding matrix (a gather, not a kernel) and are combined with
sqrtn. Common text signature: one rank-1 string input, a float32
[None, 16] `default` output.

This is the best base for tests that damage a module to get HUB211
(checkpoint) and HUB214 (asset) findings: it has an asset, a table
initializer and a small checkpoint.

Expected module findings: none
Must not trigger: HUB201, HUB202 (the embedding is no kernel), HUB210 (text
signature is right), HUB213 (reading the vocabulary asset through a table
initializer is not an unsafe op), HUB214, and every other HUB2xx rule
"""
import os
import shutil
import sys
import tempfile

import tensorflow.compat.v1 as tf
import tensorflow_hub as hub

tf.disable_v2_behavior()

EMBEDDING_DIM = 16
NUM_OOV_BUCKETS = 1
VOCABULARY = [
    "the", "a", "of", "and", "to", "in", "is", "module", "hub", "tensor",
    "flow", "text", "embedding", "cat", "dog", "sat", "on", "mat", "good",
    "bad",
]


def make_module_fn(vocabulary_file, vocabulary_size):
  def module_fn():
    sentences = tf.placeholder(dtype=tf.string, shape=[None])
    tokens = tf.strings.split(sentences)  # SparseTensor in TF1 mode.
    table = tf.lookup.StaticVocabularyTable(
        tf.lookup.TextFileInitializer(
            vocabulary_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
            tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
        num_oov_buckets=NUM_OOV_BUCKETS)
    ids = tf.SparseTensor(tokens.indices, table.lookup(tokens.values),
                          tokens.dense_shape)
    embeddings = tf.get_variable(
        "embeddings", [vocabulary_size + NUM_OOV_BUCKETS, EMBEDDING_DIM],
        initializer=tf.random_normal_initializer(stddev=0.1))
    combined = tf.nn.safe_embedding_lookup_sparse(
        embeddings, ids, None, combiner="sqrtn")
    hub.add_signature(inputs={"sentences": sentences},
                      outputs={"default": combined})
  return module_fn


def main(argv):
  if len(argv) != 2:
    raise SystemExit("usage: %s EXPORT_DIR" % argv[0])
  workdir = tempfile.mkdtemp()
  try:
    vocabulary_file = os.path.join(workdir, "tokens.txt")
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
