from hublint.finding import Severity
from hublint.rule import DynamicRule


class ModuleLoadFailed(DynamicRule):
    id = "HUB301"
    name = "module-load-failed"
    severity = Severity.ERROR
    summary = (
        "Reports a tag set (TF1) or the object (TF2) that does not load, or whose variables do not "
        "restore, in the TensorFlow that `--load` runs (`--tf-python`); and a TensorFlow child that "
        "crashes, hangs past `--load-timeout` or exceeds `--load-memory` while loading or running the "
        "module. A module that HUB213 flags is not run at all without `--trust-module`: this rule says so."
    )
    rationale = (
        "A module that reads cleanly can still fail where its consumers are: an op the consumer's "
        "TensorFlow does not have, a checkpoint that does not restore into the graph, a graph that "
        "crashes the process or never returns. The dynamic pass loads the module as a consumer would "
        "(`tf.compat.v1` loader per tag set, `tf.saved_model.load` for TF2), in a child process with a "
        "time and memory bound, so that the failure becomes a finding instead of the consumer's outage. "
        "A module with ops that touch the file system or run code (HUB213) is not executed unless you "
        "pass `--trust-module`; the child then still runs in a private temporary folder, without a GPU."
    )
    message = "{what}"
    fix = "{fix}"
    bad = (
        "import tensorflow as tf\n\n\n"
        "class Spin(tf.Module):\n\n"
        "  @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])\n"
        "  def __call__(self, x):\n"
        "    # never returns: a consumer's process hangs on the first call\n"
        "    return tf.while_loop(lambda x: True, lambda x: x + 1.0, [x])[0]\n\n\n"
        "tf.saved_model.save(Spin(), '/tmp/spin')\n",
    )
    good = (
        "import tensorflow as tf\n\n\n"
        "class Scale(tf.Module):\n\n"
        "  def __init__(self):\n"
        "    super().__init__()\n"
        "    self.scale = tf.Variable(2.0)\n\n"
        "  @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])\n"
        "  def __call__(self, x):\n"
        "    return x * self.scale\n\n\n"
        "tf.saved_model.save(Scale(), '/tmp/scale')\n",
    )

    def check(self, measurement, config):
        if measurement.skipped:
            yield self.finding(measurement.location(), what=f"not loaded: {measurement.skipped}",
                               fix="remove the unsafe ops, or pass --trust-module if you trust this module")
            return
        child = measurement.child
        if child is None:
            return
        if child.outcome != "ok":
            yield self.finding(measurement.location(), what=f"the TensorFlow child {child.cause}",
                               fix=_CHILD_FIX.get(child.outcome, "rerun with --debug; report it if it is hublint's"))
            return
        report = child.report
        if report.get("memory_exhausted"):
            yield self.finding(measurement.location(),
                               what=f"the TensorFlow child exceeded the --load-memory address-space limit: "
                                    f"{report['memory_exhausted']}",
                               fix=_CHILD_FIX["memory"])
            return
        if report.get("error"):
            yield self.finding(measurement.location(),
                               what=f"does not load in TensorFlow {measurement.tensorflow}: {report['error']}",
                               fix="export the module again with this TensorFlow, or check the files are complete")
        for run in measurement.runs:
            if not run.get("loaded"):
                yield self.finding(measurement.location(run),
                                   what=f"does not load in TensorFlow {measurement.tensorflow}: {run.get('error')}",
                                   fix="load it with tf.compat.v1.saved_model.loader.load / tf.saved_model.load "
                                       "and fix what it reports")
                continue
            memory = [f"{step}: {error}" for step, error in (run.get("step_errors") or {}).items()
                      if "ResourceExhausted" in error or "MemoryError" in error]
            memory += [s["error"] for s in run.get("signatures", []) if "ResourceExhausted" in s.get("error", "")]
            if memory:
                yield self.finding(measurement.location(run),
                                   what=f"exceeded the --load-memory limit running the module ({memory[0]})",
                                   fix="find what allocates without bound (a growing loop, a size read from the input)")


_CHILD_FIX = {
    "timeout": "find the loop that does not end (or raise --load-timeout for a very large module)",
    "memory": "find what allocates without bound (or raise --load-memory for a very large module)",
    "crashed": "load the module by hand with the same TensorFlow to see the crash; an op may be missing "
               "or a kernel broken",
    "failed": "check that --tf-python names an interpreter with TensorFlow",
}
