"""Chinese word segmentation with jieba and a user dictionary of the region names and category
terms (pure; no Django import).

jieba's own dictionary takes about a second to load; it is loaded once per process, lazily, from
a cache file in the system's temp directory (jieba writes it there the first time). The user
dictionary is added to the tokenizer in memory, so no file is written for it. jieba's log lines
are silenced.
"""

import logging
import os
import re
import tempfile
import threading
import warnings
from collections.abc import Iterable

from shoushan.regions.gazetteer import name_forms

_lock = threading.Lock()
_tokenizer = None
_added: set[str] = set()

_SPACES = re.compile(r"\s+")
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def tokenizer():
    """This process's jieba tokenizer (created and initialised once)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                with warnings.catch_warnings():  # jieba's regexes use invalid escapes
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    import jieba

                jieba.setLogLevel(logging.WARNING)
                logging.getLogger("jieba").setLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.tmp_dir = os.environ.get("SHOUSHAN_JIEBA_CACHE_DIR") or tempfile.gettempdir()
                tk.initialize()
                _tokenizer = tk
    return _tokenizer


def dictionary_add(words: Iterable[str], *, freq: int = 2000, tag: str = "ns") -> int:
    """Add words (region names, category terms) to the tokenizer; returns how many were new."""
    tk = tokenizer()
    added = 0
    with _lock:
        for word in words:
            word = _SPACES.sub("", word or "")
            if len(word) < 2 or word in _added:
                continue
            tk.add_word(word, freq=freq, tag=tag)
            _added.add(word)
            added += 1
    return added


def region_words(regions: Iterable[tuple[str, str, str, str | None]]) -> list[str]:
    """Every full and short name of the regions ((code, name, level, parent_code) tuples)."""
    words = []
    for _code, name, level, _parent in regions:
        words.extend(name_forms(name, level))
    return words


def despace(text: str) -> str:
    """The text without whitespace: segmented training text and raw text look alike then."""
    return _SPACES.sub("", text or "")


def segment(text: str, *, hmm: bool = False) -> list[str]:
    """The words of a raw (or already segmented) text, punctuation and spaces dropped."""
    tk = tokenizer()
    return [w for w in tk.cut(despace(text), HMM=hmm) if not _PUNCTUATION.fullmatch(w)]
