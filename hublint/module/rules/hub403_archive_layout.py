from hublint.finding import Severity
from hublint.rule import ModuleRule


class ArchiveLayout(ModuleRule):
    id = "HUB403"
    name = "archive-layout"
    severity = Severity.WARNING
    summary = (
        "Reports a module archive whose module (the folder holding `saved_model.pb`, "
        "`saved_model.pbtxt` or `tfhub_module.pb`) is a folder inside the archive rather than its root. "
        "hublint lints the module it found there."
    )
    rationale = (
        "TF Hub's compressed module format is a tarball whose root is the module: `hub.load` and "
        "`hub.Module` unpack the archive and look for `saved_model.pb` at the top of what they "
        "unpacked. An archive made by packing the export folder itself (`tar -czf m.tar.gz export/`) "
        "puts everything one folder down, and the download fails to load for every consumer."
    )
    message = "the module lies in {root}/ inside the archive, not at its root, where TF Hub looks for saved_model.pb"
    fix = "pack the folder's contents, not the folder: `tar -czf module.tar.gz -C {root} .`"
    bad = (
        "import tarfile\n\n"
        "with tarfile.open('module.tar.gz', 'w:gz') as tar:\n"
        "    tar.add('/tmp/export', arcname='export')  # export/saved_model.pb: one folder down\n",
    )
    good = (
        "import tarfile\n\n"
        "with tarfile.open('module.tar.gz', 'w:gz') as tar:\n"
        "    tar.add('/tmp/export', arcname='.')  # saved_model.pb at the top\n",
    )

    def check(self, module, config):
        packaging = module.packaging
        if packaging is None or not packaging.archive or not packaging.root or module.format is None:
            return
        yield self.finding(module.location(), root=packaging.root)
