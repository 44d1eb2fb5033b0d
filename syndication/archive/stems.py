"""Words by their stem: which forms of a reader's word the archive holds.

The index keeps words as written (folded: lower case, no accents), so snippets mark what the
article says; a search for "strikes" asks for every form of the archive's vocabulary whose
Snowball stem is that of "strikes" ("strike", "striking"), in the edition's language.
"""

from __future__ import annotations

import functools

import Stemmer

# ISO 639-1 codes -> Snowball algorithms (PyStemmer). A language missing here is searched
# word for word, as written.
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "eo": "esperanto", "es": "spanish", "et": "estonian",
    "eu": "basque", "fa": "persian", "fi": "finnish", "fr": "french", "ga": "irish",
    "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "nn": "norwegian",
    "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip


@functools.cache
def stemmer_for(language: str) -> Stemmer.Stemmer | None:
    """The Snowball stemmer of a language tag ("fr", "fr-LU", "pt_BR"), or None."""
    algorithm = SNOWBALL.get(language.replace("_", "-").split("-")[0].lower())
    if algorithm is None or algorithm not in Stemmer.algorithms():
        return None
    return Stemmer.Stemmer(algorithm)


def has_stemmer(language: str) -> bool:
    return stemmer_for(language) is not None


def stem(language: str, word: str) -> str:
    """The stem of a folded word, or the word itself in a language with no stemmer."""
    stemmer = stemmer_for(language)
    return stemmer.stemWord(word) if stemmer is not None else word


def shared_start(root: str) -> str:
    """What every form with this stem begins with, near enough: Snowball changes at most the
    stem's last letter ("ferry" -> "ferri", "chevaux" -> "cheval"), so all but that letter,
    and at least three letters, which bound how many words are looked at."""
    return root[: max(3, len(root) - 1)]
