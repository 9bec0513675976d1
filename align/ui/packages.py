"""Which installed translation package the page offers and uses: the packages for a language
pair (``find_package``'s default first), how one is named, and the one that re-translates a
document (its own, while it is installed). No Streamlit here: the page draws what this decides."""

from __future__ import annotations

from align.document import AlignedDocument
from align.mt.packages import InstalledPackage, find_package, list_packages
from align.settings import Settings


def pair_packages(src: str, tgt: str, settings: Settings) -> list[InstalledPackage]:
    """The installed ``src`` -> ``tgt`` packages, find_package's default first (the order the page offers them)."""
    matches = [p for p in list_packages(settings) if p.from_code == src and p.to_code == tgt]
    if not matches:
        return []
    default = find_package(src, tgt, settings)
    return [default] + [p for p in matches if p.path != default.path]


def package_label(package: InstalledPackage) -> str:
    """A package as the page names it: its name, and the checkpoint an imported one came from."""
    source = package.metadata.get("source_model")
    return f"{package.name} (imported from {source})" if source else f"{package.name} (Argos {package.version})"


def document_model(doc: AlignedDocument, settings: Settings) -> str | None:
    """The package a document was translated with, while it is still installed for its pair (so
    Re-translate keeps the document in one model's words); None: the default package."""
    signature = doc.signature
    name = signature.settings.package or (signature.model if signature.method == "translate" else "")
    installed = {p.name for p in pair_packages(doc.src_lang, doc.tgt_lang, settings)}
    return name if name in installed else None
