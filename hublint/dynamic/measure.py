"""The parent side of the dynamic pass: run the child, classify how it ended, judge what it measured."""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass, field

from hublint import registry
from hublint.dynamic import DEFAULT_MEMORY, DEFAULT_TIMEOUT
from hublint.dynamic.confirm import Measured, confirm
from hublint.finding import Finding, Location

CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "child.py")
#: stderr lines of an allocation that failed under the address-space limit
_MEMORY_WORDS = ("std::bad_alloc", "Cannot allocate memory", "ResourceExhausted", "MemoryError",
                 "OOM when allocating", "out of memory")
#: module-pass rules whose findings mean the graph touches the file system or runs code
UNSAFE_RULE = "HUB213"


@dataclass(frozen=True)
class LoadOptions:
    python: str
    timeout: float = DEFAULT_TIMEOUT
    memory: int = DEFAULT_MEMORY
    trust_module: bool = False
    samples: int = 20000


# -- the child ----------------------------------------------------------------------------

@dataclass(frozen=True)
class ChildRun:
    """How the child ended: ``ok`` (a report), ``crashed``, ``timeout``, ``memory`` or ``failed``."""

    outcome: str
    report: dict | None = None
    stderr: str = ""
    returncode: int | None = None
    stage: str = ""

    @property
    def cause(self) -> str:
        where = f" while {self.stage}" if self.stage else ""
        if self.outcome == "timeout":
            return f"did not finish within the --load-timeout{where}"
        if self.outcome == "memory":
            return f"exceeded the --load-memory address-space limit{where}"
        if self.outcome == "crashed":
            import signal

            code = self.returncode or 0
            name = signal.Signals(-code).name if code < 0 and -code in signal.Signals._value2member_map_ else None
            return (f"crashed ({name}){where}" if name else f"exited with status {code}{where}") + _last_line(self.stderr)
        if self.outcome == "failed":
            return f"failed{where}" + _last_line(self.stderr)
        return "finished"


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines()
             if line.strip() and not line.startswith("hublint-child:") and not line.startswith("  ")]
    return f": {lines[-1][:300]}" if lines else ""


def _limits(memory: int):
    import resource  # imported here, before the fork: the child between fork and exec imports nothing

    def apply() -> None:  # runs in the child between fork and exec: one system call
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def run_child(path: str, options: LoadOptions) -> ChildRun:
    """Run the child on the module at ``path`` and classify how it ended."""
    return run_children([path], options)[path]


class Started:
    """A child started ahead of its request, with its private working folder: it imports TensorFlow
    (seconds) while hublint's static passes run, then waits for the modules on stdin."""

    def __init__(self, options: LoadOptions):
        import subprocess
        import tempfile

        self.folder = tempfile.TemporaryDirectory(prefix="hublint-load-")
        workdir = self.folder.name
        env = dict(os.environ)
        env.update(CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="1", PYTHONDONTWRITEBYTECODE="1",
                   PYTHONHASHSEED="0", TF_ENABLE_ONEDNN_OPTS="0", HOME=workdir, TMPDIR=workdir)
        self.error = ""
        try:
            # -I: the child sees neither the user's site customizations nor hublint's folder.
            self.process = subprocess.Popen([options.python, "-I", CHILD], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=workdir, env=env,
                                            preexec_fn=_limits(options.memory),
                                            # its own process group: a timeout kills TensorFlow's helpers too
                                            start_new_session=True)
        except OSError as exc:
            self.process = None
            self.error = f"cannot start {options.python}: {exc.strerror or exc}"
            return
        import queue
        import threading

        #: the child's stdout lines (None at its end), and its stderr, read from its start on
        self.lines: queue.Queue = queue.Queue()
        self.stderr_chunks: list[bytes] = []
        self.readers = [threading.Thread(target=self._read_stdout, daemon=True),
                        threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read_stdout(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _read_stderr(self) -> None:
        for chunk in iter(lambda: self.process.stderr.read1(65536), b""):
            self.stderr_chunks.append(chunk)

    def close(self) -> None:
        """Stop the child if it still runs (a child nobody needs is killed: it only imports
        TensorFlow) and remove its folder."""
        if self.process is not None:
            if self.process.poll() is None:
                _kill(self.process)
                self.process.wait()
            if not self.process.stdin.closed:
                self.process.stdin.close()
        self.folder.cleanup()


def start_children(count: int, options: LoadOptions) -> list[Started]:
    """``count`` children started now, each for one share of the modules (``measure_modules``)."""
    return [Started(options) for _ in range(count)]


def child_count(modules: int, config) -> int:
    """How many children measure ``modules`` modules in parallel (each imports TensorFlow once)."""
    return max(1, min(modules, config.jobs or os.cpu_count() or 1, 4))


def run_children(paths: list[str], options: LoadOptions, started: Started | None = None) -> dict[str, ChildRun]:
    """Measure ``paths`` in as few children as possible (TensorFlow is imported once per child),
    the first one ``started`` when given.

    ``options.timeout`` bounds each module (the first one also pays for importing
    TensorFlow).  A child that crashes, hangs or runs out of memory costs the module it
    was measuring; a new child goes on with the modules after it.
    """
    runs: dict[str, ChildRun] = {}
    pending = list(paths)
    while pending:
        child, started = started or Started(options), None
        try:
            runs.update(_one_child(pending, options, child))
        finally:
            child.close()
        pending = [path for path in pending if path not in runs]
    return runs


def _one_child(paths: list[str], options: LoadOptions, child: Started) -> dict[str, ChildRun]:
    import queue

    if child.process is None:
        failed = ChildRun("failed", stderr=child.error)
        return {path: failed for path in paths}
    process, lines, stderr_chunks, readers = child.process, child.lines, child.stderr_chunks, child.readers
    request = json.dumps({"modules": [os.path.abspath(p) for p in paths], "samples": options.samples})
    by_absolute = {os.path.abspath(p): p for p in paths}
    done: dict[str, ChildRun] = {}
    try:
        process.stdin.write(request.encode())
        process.stdin.close()
    except OSError:  # the child died before reading its request: its stderr says why
        pass
    current = paths[0]
    while True:
        try:
            line = lines.get(timeout=options.timeout)
        except queue.Empty:
            _kill(process)
            process.wait()
            for reader in readers:
                reader.join(timeout=5)
            text = _module_stderr(b"".join(stderr_chunks).decode("utf-8", "replace"))
            done[current] = ChildRun("timeout", stderr=text, returncode=process.returncode, stage=_stage(text))
            break
        if line is None:  # the child ended: normally after its last module
            process.wait()
            for reader in readers:
                reader.join(timeout=5)
            remaining = [p for p in paths if p not in done]
            if remaining:
                text = _module_stderr(b"".join(stderr_chunks).decode("utf-8", "replace"))
                outcome = ("memory" if any(word in text for word in _MEMORY_WORDS)
                           else "crashed" if process.returncode else "failed")
                done[remaining[0]] = ChildRun(outcome, stderr=text, returncode=process.returncode,
                                              stage=_stage(text))
            break
        try:
            report = json.loads(line.decode("utf-8", "replace"))
            path = by_absolute[report["module"]]
        except (ValueError, KeyError, TypeError):
            continue
        done[path] = ChildRun("ok", report=report, returncode=0, stage="")
        remaining = [p for p in paths if p not in done]
        if not remaining:
            _reap(process)
            break
        current = remaining[0]
    return done


def _reap(process) -> None:
    import subprocess

    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _kill(process)
        process.wait()


def _module_stderr(stderr: str) -> str:
    """The child's stderr since it began the module it was measuring last."""
    marker = stderr.rfind("hublint-child: module ")
    return stderr[marker:] if marker >= 0 else stderr


def _kill(process) -> None:
    import signal

    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()


def _stage(stderr: str) -> str:
    stages = re.findall(r"^hublint-child: stage (.*)$", stderr, re.MULTILINE)
    return stages[-1].strip() if stages else ""


# -- measurements -------------------------------------------------------------------------

@dataclass
class Measurement:
    """What the child measured on one module, for the HUB3xx rules."""

    path: str
    child: ChildRun | None = None
    skipped: str = ""  # why the module was not run (HUB213 without --trust-module)
    refused: str = ""  # why the module is never run, whatever the options (HUB401: an unsafe archive)
    summary: dict = field(default_factory=dict)  # the module pass's summary (static readings)
    static_findings: tuple = ()  # the module pass's findings of this module (one cause, one finding)

    @property
    def runs(self) -> list[dict]:
        return list(self.child.report.get("runs", [])) if self.child and self.child.report else []

    @property
    def tensorflow(self) -> str:
        return (self.child.report or {}).get("tensorflow", "?") if self.child else "?"

    def location(self, run: dict | None = None, node: str = "") -> Location:
        if run is None:
            return Location(path=self.path, node=node, module=self.path)
        if run.get("object"):
            training = run.get("training")
            node = node or (run["object"] + ("" if training is None else f"(training={training})"))
        return Location(path=self.path, tag_set=tuple(run.get("tag_set", ())), node=node, module=self.path)


def is_train(run: dict) -> bool:
    """A run of the train graph: the ``train`` tag set (TF1) or ``training=True`` (TF2)."""
    return run.get("training") is True or (run.get("training") is None and "train" in run.get("tag_set", ()))


def is_inference(run: dict) -> bool:
    """A run a consumer uses for inference: a tag set without ``train``, or ``training=False``."""
    if run.get("object") and run.get("training") is None:
        return True  # a __call__ without a training argument
    return run.get("training") is False or (run.get("training") is None and "train" not in run.get("tag_set", ()))


def measure(path: str, options: LoadOptions, config, summary: dict | None = None,
            module_findings: list[Finding] = (), child: ChildRun | None = None,
            refused: str = "", static_findings: list[Finding] = ()) -> tuple[list[Finding], Measurement]:
    """Findings of the enabled dynamic rules on ``path`` and what was measured (``child``: already run).

    ``refused``: why the module is never run (its own findings already say so): no dynamic finding.
    """
    measurement = Measurement(path=path, summary=summary or {}, static_findings=tuple(static_findings))
    unsafe = [f for f in module_findings if f.rule_id == UNSAFE_RULE]
    if refused:
        measurement.refused = refused
        return [], measurement
    if unsafe and not options.trust_module:
        measurement.skipped = (f"{UNSAFE_RULE} flags ops that touch the file system or run code "
                               f"({unsafe[0].message})")
    else:
        measurement.child = child or run_child(path, options)
    findings: list[Finding] = []
    for rule in registry.rules_of("dynamic"):
        if config.is_enabled(rule.id, path):
            findings.extend(rule.check(measurement, config))
    return sorted(findings), measurement


def measure_modules(paths: list[str], options: LoadOptions, config, result,
                    started: list[Started] = ()) -> None:
    """The dynamic pass over the modules of a run: findings and ``measured`` go into ``result``.

    The modules are shared among a few children that run in parallel (each imports
    TensorFlow once); one that crashes or hangs costs only the module it was measuring.
    ``started``: children started before the static passes (``start_children``), used
    first; the caller closes them (those left unused are killed).
    """
    from concurrent.futures import ThreadPoolExecutor

    gates = {path: gate(path, config) for path in paths}
    unsafe = {path: findings for path, (findings, _) in gates.items()}
    refused = {path: reason for path, (_, reason) in gates.items()}
    to_run = [path for path in paths if not refused[path] and (options.trust_module or not unsafe[path])]
    jobs = child_count(len(to_run), config)
    children: dict[str, ChildRun] = {}
    with module_folders(to_run) as folders:
        chunks = [[folders[p] for p in to_run[i::jobs]] for i in range(jobs)]
        work = [(chunk, started[i] if i < len(started) else None) for i, chunk in enumerate(chunks) if chunk]
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for runs in pool.map(lambda job: run_children(job[0], options, job[1]), work):
                children.update(runs)
        children = {path: children[folder] for path, folder in folders.items() if folder in children}
    by_module: dict[str, list[Finding]] = {}  # the findings so far, each module's together
    for finding in result.findings:
        by_module.setdefault(_module_of(finding), []).append(finding)
    try:
        for path in paths:
            summary = result.module_summaries.get(path)
            static = sorted(by_module.get(path, []))
            findings, measurement = measure(path, options, config, summary, unsafe[path],
                                            child=children.get(path), refused=refused[path], static_findings=static)
            # The module pass's findings of this module, with what was measured where they point.
            measured = Measured(measurement.runs, measurement.summary)
            by_module[path] = (confirm(static, measured) if measured.runs else static) + findings
            if summary is not None:
                summary["measured"] = measured_entries(measurement)
                summary["measured_status"] = measured_status(measurement)
    finally:  # a hublint bug in one module (the runner reports it) keeps the others' findings
        result.findings = [finding for found in by_module.values() for finding in found]


def _module_of(finding: Finding) -> str:
    return finding.location.module or finding.location.path


@contextlib.contextmanager
def module_folders(paths: list[str]):
    """Each module's folder for the child: a folder as is, an archive extracted into a private
    temporary folder that is removed afterwards (TensorFlow loads files, not archives)."""
    import shutil
    import tempfile

    from hublint.module.sources import SourceError, extract_archive, is_archive_path

    folders, temporary = {}, []
    try:
        for path in paths:
            if not (is_archive_path(path) and os.path.isfile(path)):
                folders[path] = path
                continue
            workdir = tempfile.mkdtemp(prefix="hublint-load-archive-")  # mode 0700: this user's only
            temporary.append(workdir)
            try:
                folders[path] = extract_archive(path, os.path.join(workdir, "module"))
            except SourceError:
                folders[path] = workdir  # the child reports that it does not load (HUB301)
        yield folders
    finally:
        for workdir in temporary:
            shutil.rmtree(workdir, ignore_errors=True)


def measured_entries(measurement: Measurement) -> list[dict]:
    """The ``measured`` list of ``hublint show --load``: one entry per tag set / (object, training)."""
    entries = []
    for run in measurement.runs:
        if not run.get("loaded"):
            continue
        regularization = run.get("regularization") or {}
        entries.append({
            "tag_set": list(run.get("tag_set", [])),
            "object": run.get("object", ""),
            "training": run.get("training"),
            "tensorflow": measurement.tensorflow,
            "dropout_rates": [round(d["rate"], 4) for d in run.get("dropouts", []) if d.get("rate") is not None],
            "batchnorm_momenta": sorted({b["momentum"] for b in run.get("batchnorm", []) if b.get("updated")
                                         and b.get("momentum") is not None}),
            "regularization": {
                "loss": regularization.get("loss"),
                "kernels": list(regularization.get("kernels", [])),
                "kernels_covered": list(regularization.get("kernels_covered", [])),
            },
            "deterministic": run.get("deterministic"),
            "batch_independent": run.get("batch_independent"),
            "training_inputs": list(run.get("training_inputs", [])),
        })
    return entries


def measured_status(measurement: Measurement) -> str:
    """Why ``measured`` is empty or incomplete: "" when the child ran to the end."""
    if measurement.refused:
        return f"not run: {measurement.refused}"
    if measurement.skipped:
        return f"not run: {measurement.skipped}; pass --trust-module to load it anyway"
    if measurement.child is not None and measurement.child.outcome != "ok":
        return f"the TensorFlow child {measurement.child.cause}"
    return ""


def gate(path: str, config) -> tuple[list[Finding], str]:
    """What decides whether ``path`` runs: HUB213's findings, whatever the selection (the gate of
    ``--trust-module``), and why it never runs ("": it may): an archive HUB401 refuses, a remote module."""
    from hublint.module.reader import load_module
    from hublint.module.sources import is_url

    if is_url(path):
        return [], "a remote module is not loaded; download it and pass the folder or archive"
    module = load_module(path)
    unsafe = module.packaging.unsafe if module.packaging is not None else ()
    if unsafe:
        return [], f"HUB401 refuses the archive ({unsafe[0].name!r}: {unsafe[0].reason}); nothing is extracted"
    return (list(registry.get_rule(UNSAFE_RULE).check(module, config)) if module.format is not None else []), ""


def attach_measured(summary: dict, path: str, options: LoadOptions, config=None) -> list[Finding]:
    """``hublint show --load``: measure ``path`` and add ``measured`` to its summary."""
    from hublint import config as config_mod

    config = config or config_mod.Config()
    unsafe, refused = gate(path, config)
    child = None
    if not refused and (options.trust_module or not unsafe):
        with module_folders([path]) as folders:
            child = run_child(folders[path], options)
    findings, measurement = measure(path, options, config, summary, unsafe, child=child, refused=refused)
    summary["measured"] = measured_entries(measurement)
    summary["measured_status"] = measured_status(measurement)
    return findings


def render_measured(entries: list[dict], status: str = "") -> list[str]:
    """The "Measured" section of text ``show``."""
    lines = ["", "Measured (--load):"]
    if status:
        lines.append(f"  {status}")
    elif not entries:
        lines.append("  nothing could be run")
    for entry in entries:
        where = "{" + ", ".join(entry["tag_set"]) + "}"
        if entry["object"]:
            where += f" {entry['object']}" + ("" if entry["training"] is None else f"(training={entry['training']})")
        lines.append(f"  {where} in TensorFlow {entry['tensorflow']}:")
        yes = {True: "yes", False: "NO", None: "not measured"}
        lines.append(f"    deterministic: {yes[entry['deterministic']]}, "
                     f"batch independent: {yes[entry['batch_independent']]}")
        if entry["training_inputs"]:
            lines.append("    train measurements fed " + ", ".join(f"{k}=True" for k in entry["training_inputs"]))
        if entry["dropout_rates"]:
            lines.append("    dropout rates: " + ", ".join(f"{r:.3f}" for r in entry["dropout_rates"]))
        if entry["batchnorm_momenta"]:
            lines.append("    batch-norm momenta: " + ", ".join(f"{m:g}" for m in entry["batchnorm_momenta"]))
        reg = entry["regularization"]
        if reg["kernels"] or reg["loss"] is not None:
            loss = "none" if reg["loss"] is None else f"{reg['loss']:.4g}"
            lines.append(f"    regularization loss {loss}, kernels covered "
                         f"{len(reg['kernels_covered'])}/{len(reg['kernels'])}")
    return lines
