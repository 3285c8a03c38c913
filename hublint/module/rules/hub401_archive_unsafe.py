from hublint.finding import Location, Severity
from hublint.rule import ModuleRule

#: Findings after this many unsafe members name the rest by count.
MAX_LISTED = 10


class ArchiveUnsafe(ModuleRule):
    id = "HUB401"
    name = "archive-unsafe"
    severity = Severity.ERROR
    summary = (
        "Refuses a module archive (`.tar.gz`, `.tgz`, `.tar`, `.zip`) with a member whose name is "
        "absolute or climbs out with `..`, a symbolic or hard link, a device file or pipe, or sizes that "
        "make it a decompression bomb (members declaring far more bytes than the archive holds, a zip "
        "member whose compressed data is larger than what it declares, zip members sharing their "
        "compressed bytes). Nothing of a refused archive is read or extracted."
    )
    rationale = (
        "Consumers and hubs unpack module archives into their caches. A member named `../../.bashrc` "
        "or `/etc/cron.d/x`, or a link to `/etc` followed by a member written through it, writes outside "
        "the cache folder; a device file or a bomb fills the disk or the memory of whoever unpacks it. "
        "No module needs any of these: a module is plain files under one folder."
    )
    message = "unsafe archive member {member!r}: {reason}; the archive is refused{more}"
    fix = "pack plain files only, with relative names: `tar -czf module.tar.gz -C export_dir .`"
    bad = (
        "import tarfile\n\n"
        "with tarfile.open('module.tar.gz', 'w:gz') as tar:\n"
        "    tar.add('/tmp/export', arcname='/models/text_embedding')  # an absolute member name\n"
        "    tar.add('/tmp/export/vocab.txt', arcname='../vocab.txt')   # climbs out of the folder\n",
    )
    good = (
        "import tarfile\n\n"
        "with tarfile.open('module.tar.gz', 'w:gz') as tar:\n"
        "    tar.add('/tmp/export', arcname='.')  # saved_model.pb at the top, relative names\n",
    )

    def check(self, module, config):
        packaging = module.packaging
        if packaging is None or not packaging.unsafe:
            return
        unsafe = packaging.unsafe
        for index, member in enumerate(unsafe[:MAX_LISTED]):
            rest = len(unsafe) - MAX_LISTED
            more = f" ({rest} more unsafe members)" if index == MAX_LISTED - 1 and rest > 0 else ""
            # A refused name may escape the archive: it is shown as the archive spells it.
            path = f"{module.path}!/{member.name}" if member.name else module.path
            yield self.finding(Location(path=path, module=module.path), member=member.name or module.path,
                               reason=member.reason, more=more)
