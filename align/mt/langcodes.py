"""The language tokens of multilingual models: the user's ``de`` as NLLB's ``deu_Latn`` or M2M-100's ``__de__``.

Users and the rest of the workbench speak ISO 639-1 codes (``de``, ``en``); NLLB-200 names
languages by ISO 639-3 code and script, M2M-100 wraps the two-letter code in underscores. The table
below covers common languages; a model's own code (``deu_Latn``, ``__de__``) is accepted as well,
so any language the model knows can be imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: The pair the workbench assumes where nobody names one (German -> English is what it is built
#: for first): the default of every function, command-line option, page form and file without
#: languages. Tables that describe German or English themselves are not defaults and keep the codes.
DEFAULT_SOURCE = "de"
DEFAULT_TARGET = "en"

# ISO 639-1 -> NLLB-200 (FLORES-200) code, for common languages.
NLLB_CODES = {
    "ar": "arb_Arab",
    "bg": "bul_Cyrl",
    "ca": "cat_Latn",
    "cs": "ces_Latn",
    "da": "dan_Latn",
    "de": "deu_Latn",
    "el": "ell_Grek",
    "en": "eng_Latn",
    "es": "spa_Latn",
    "et": "est_Latn",
    "fi": "fin_Latn",
    "fr": "fra_Latn",
    "hu": "hun_Latn",
    "it": "ita_Latn",
    "ja": "jpn_Jpan",
    "ko": "kor_Hang",
    "lt": "lit_Latn",
    "lv": "lvs_Latn",
    "nl": "nld_Latn",
    "no": "nob_Latn",
    "pl": "pol_Latn",
    "pt": "por_Latn",
    "ro": "ron_Latn",
    "ru": "rus_Cyrl",
    "sk": "slk_Latn",
    "sl": "slv_Latn",
    "sv": "swe_Latn",
    "tr": "tur_Latn",
    "uk": "ukr_Cyrl",
    "zh": "zho_Hans",
}


def base_lang(code: str | None) -> str:
    """The language part of a code, lower case: ``de-DE``, ``pt_BR``, `` DE `` -> ``de``, ``pt``, ``de``.

    The one rule for it: the memory files units under it (a de-CH translator gains from de-DE
    units), the glossary, sentence rules and quality signals look their tables up with it, so a
    regional code (either separator) finds the language's rules everywhere."""
    return re.split(r"[-_]", (code or "").strip().lower(), maxsplit=1)[0]


_NLLB_TOKEN = re.compile(r"^[a-z]{3}_[A-Z][a-z]{3}$")
_M2M_TOKEN = re.compile(r"^__([a-z]{2,3})__$")


def language_tokens(vocabulary: Iterable[str], family: str) -> list[str]:
    """The language tokens in a model's vocabulary (``deu_Latn`` for NLLB, ``__de__`` for M2M-100)."""
    pattern = _NLLB_TOKEN if family == "nllb" else _M2M_TOKEN
    return [token for token in vocabulary if pattern.match(token)]


def language_token(code: str, family: str, known: Iterable[str]) -> str | None:
    """The model's token for the user's ``code`` (an ISO code or the model's own), or None."""
    known = set(known)
    candidates = [code]
    if family == "nllb":
        candidates.append(NLLB_CODES.get(code, ""))
    else:
        candidates.append(f"__{code}__")
    return next((c for c in candidates if c and c in known), None)


def iso_code(code: str, family: str) -> str:
    """The short code the workbench files a package under: ``deu_Latn`` -> ``de``, ``__de__`` -> ``de``;
    a code without an ISO equivalent in our table stays as given."""
    if family == "nllb":
        reverse = {v: k for k, v in NLLB_CODES.items()}
        return reverse.get(code, code)
    match = _M2M_TOKEN.match(code)
    return match.group(1) if match else code
