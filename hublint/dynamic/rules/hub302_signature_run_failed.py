from hublint.finding import Severity
from hublint.rule import DynamicRule


class SignatureRunFailed(DynamicRule):
    id = "HUB302"
    name = "signature-run-failed"
    severity = Severity.ERROR
    summary = (
        "Reports a signature that fails on valid synthetic inputs built from its input specs (batch "
        "sizes 1 and 3; strings for string inputs, small ids for integer inputs, small sizes for "
        "unknown dimensions), or that returns dtypes or shapes other than it declares."
    )
    rationale = (
        "A signature's specs are the contract a consumer codes against: `hub.KerasLayer`, TF Serving "
        "and `hub.Module` feed what the specs promise and expect what they declare. A signature that "
        "only works for one batch size, or whose outputs differ from the declared shape, breaks the "
        "consumer at run time, far from the publisher's code."
    )
    message = "signature '{signature}' {problem}"
    fix = "{fix}"
    bad = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 8])\n"
        "  # works for batch size 1 only\n"
        "  hub.add_signature(inputs=x, outputs=tf.reshape(x, [8]))\n",
    )
    good = (
        "import tensorflow.compat.v1 as tf\n"
        "import tensorflow_hub as hub\n\n\n"
        "def module_fn():\n"
        "  x = tf.placeholder(tf.float32, [None, 8])\n"
        "  hub.add_signature(inputs=x, outputs=tf.reshape(x, [-1, 8]))\n",
    )

    def check(self, measurement, config):
        for run in measurement.runs:
            if not run.get("loaded"):
                continue
            for record in run.get("signatures", []):
                error = record.get("error", "")
                if not record.get("ok") and "ResourceExhausted" not in error:  # memory: HUB301
                    yield self.finding(measurement.location(run, record["name"]), signature=record["name"],
                                       problem=f"fails on synthetic inputs: {error}",
                                       fix="run the signature on a batch of 1 and of 3 and fix what fails")
                for bad in record.get("mismatches", [])[:1]:
                    yield self.finding(
                        measurement.location(run, record["name"]), signature=record["name"],
                        problem=(f"output '{bad['output']}' is {bad['dtype']} {_shape(bad['shape'])} at batch size "
                                 f"{bad['batch']}, declared {bad['declared_dtype']} {_shape(bad['declared_shape'])}"),
                        fix="declare the output's real dtype and shape (None for the batch dimension)")


def _shape(shape) -> str:
    if shape is None:
        return "<unknown rank>"
    return "[" + ", ".join("?" if d is None or d < 0 else str(d) for d in shape) + "]"
