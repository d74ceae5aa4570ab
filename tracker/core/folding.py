"""Text folded for comparison only (never stored): what two spellings of one word have in common.

Used to match what people type against reference lists (import headers and codes, provinces, communes)
and to compare project names. Folding removes:
- case and accents (NFKD, combining marks dropped: é → e, Arabic harakat and the hamza/madda carried by
  alef, waw and yaa: أ إ آ → ا, ؤ → و, ئ → ي);
- Arabic letter variants people use interchangeably: alef wasla ٱ → ا, taa marbuta ة → ه, alef maqsura
  ى → ي, Persian keheh ک and Moroccan gaf ڭ → ك, Persian yeh ی → ي, tatweel ـ removed;
- punctuation (turned into spaces) and repeated spaces.
"""

import unicodedata
from functools import lru_cache

_ARABIC_VARIANTS = str.maketrans({
    "\u0671": "\u0627",  # ٱ alef wasla → ا
    "\u0629": "\u0647",  # ة taa marbuta → ه
    "\u0649": "\u064a",  # ى alef maqsura → ي
    "\u06a9": "\u0643",  # ک keheh → ك
    "\u06ad": "\u0643",  # ڭ (Moroccan "g") → ك
    "\u06af": "\u0643",  # گ gaf → ك
    "\u06cc": "\u064a",  # ی Persian yeh → ي
    "\u0640": None,  # ـ tatweel
})


@lru_cache(maxsize=16384)  # the same sectors, provinces and names repeat on every row of an import
def fold(text: str | None) -> str:
    """Lower case, no accents, Arabic letter variants unified, punctuation as spaces, spaces collapsed."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    letters = letters.translate(_ARABIC_VARIANTS)
    return " ".join("".join(ch if ch.isalnum() else " " for ch in letters).split())
