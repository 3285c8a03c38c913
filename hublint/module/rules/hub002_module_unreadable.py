from hublint.finding import Severity
from hublint.rule import ModuleRule


class ModuleUnreadable(ModuleRule):
    id = "HUB002"
    name = "module-unreadable"
    severity = Severity.ERROR
    summary = (
        "Reports each part of a module directory that hublint cannot read: no `saved_model.pb` (or "
        "`saved_model.pbtxt`), an empty, truncated or garbage protobuf, a `tfhub_module.pb` with a "
        "format other than 3 or a required feature tensorflow_hub does not know, a corrupt "
        "`variables/variables.index` (plain or Snappy-compressed blocks are both read), unreadable "
        "files. Where the bytes show the cause, the message names it: a Git LFS pointer instead of "
        "the file, an HTML page or an archive saved under the file's name, the binary and text "
        "SavedModel forms swapped, a checkpoint beside the graph instead of under `variables/`. "
        "The rest of the module is still checked where it can be."
    )
    rationale = (
        "A module hublint cannot read is a module `hub.Module` or `hub.load` cannot load either: "
        "consumers get an error at load time, far from the export that broke it. A damaged file "
        "usually means an interrupted copy or upload, or a module written by a newer or a foreign tool."
    )
    message = "cannot read the module: {reason}"
    fix = "{remedy}"
    #: the fix when the module's files are at fault (not a missing library)
    export_again = "export the module again with `module.export(path, session)` and copy the whole folder"
    bad = (
        "import os\n"
        "import shutil\n\n"
        "# Copies the checkpoint and the format marker but forgets saved_model.pb.\n"
        "os.makedirs('/models/text_embedding/variables', exist_ok=True)\n"
        "for name in ('tfhub_module.pb', 'variables/variables.index',\n"
        "             'variables/variables.data-00000-of-00001'):\n"
        "    shutil.copy(os.path.join('/tmp/export', name), os.path.join('/models/text_embedding', name))\n",
    )
    good = (
        "import shutil\n\n"
        "shutil.copytree('/tmp/export', '/models/text_embedding')\n",
    )

    def check(self, module, config):
        for problem in module.problems:
            meta_graph = problem_graph(module, problem)
            yield self.finding(module.location(meta_graph, file="" if meta_graph else problem.file),
                               reason=problem.reason, remedy=problem.remedy or self.export_again)


def problem_graph(module, problem):
    """The meta graph a problem is about, so the finding names its tag set."""
    if problem.tag_set is None:
        return None
    return module.meta_graph(problem.tag_set)
