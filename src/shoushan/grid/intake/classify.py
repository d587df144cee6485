"""The request classifier: the domain of a message (城乡建设, 交通运输, …), its responsible
department and a confidence (pure; no Django import).

Features. Labelled training data often comes segmented (words separated by spaces, stop words
removed), while real intake is raw text. Both are brought into one feature space:
whitespace and punctuation are removed, then two blocks are computed and each normalised on its
own (TF-IDF, sublinear tf, terms in at least two training messages):

- character bigrams of the de-spaced text. Not single characters: in raw text most are function
  words (的, 了, 是, 在) that a segmented training file has dropped, so there they are rare, with
  a high idf, and in a raw message their weight would drown the words that matter (measured on
  raw messages: bench/intake_classify.py);
- words: every word of the training vocabulary (2–8 characters) that occurs in the de-spaced
  text. The vocabulary is the training text's own segmentation where it is segmented, else
  jieba's segmentation (with the user dictionary of region names and category terms, see
  segment.py). Looking the vocabulary up in the text instead of running jieba at prediction
  time gives the same words for segmented and raw text.

Both blocks' terms are character n-grams, so at prediction time one NgramTable finds the terms
of both in the text: n-grams of up to three characters keyed by integers and looked up in sorted
tables with numpy, longer words in a dictionary where their first three characters stand.
Training counts the terms with plain Python (WordScanner, char_terms); a test checks that both
give the same features. Speed: bench/intake_classify.py.

Model. A linear SVM (scikit-learn's LinearSVC, C = 0.5, one-vs-rest, balanced class weights).
Confidence is a calibrated probability: Platt (sigmoid) scaling of each class's decision value,
fitted on 3-fold out-of-fold decision values of the training set (near-duplicates kept in one
fold), then normalised over the classes; the predicted domain is the most probable class. After
training, prediction uses the SVM's weights directly (numpy), not scikit-learn.

Evaluation. Cross-validation keeps near-duplicate messages in one fold (`near_duplicate_groups`)
and gives, besides the scores, the curve of automatic dispatch: at each confidence threshold,
how many messages reach it and how many of those are right (`dispatch_curve`), and the same for
the messages of each predicted domain, which is what its department receives
(`domain_dispatch_curves`). The threshold for a wanted precision is the lowest at which both the
whole and every domain reach it (`threshold_for_precision`): a city's messages come in another
mix of domains than the training file's, and only a precision each domain reaches holds in any
mix.

The department answering for each domain is data passed in (a mapping domain → department), kept
with the model, never written here.

Storage. A trained model is arrays and plain metadata (`to_bytes`, `from_bytes`: a compressed
numpy archive read with pickles refused), never a pickle of this module's classes, so that a
stored model outlives any reorganisation of the code.
"""

import io
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from scipy.special import expit  # 1 / (1 + exp(-x)), without overflow

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
MAX_CHARS = 2000  # a longer message is classified on its first 2,000 characters
WORD_LENGTHS = range(2, 9)


def _dropped_before_normalising() -> re.Pattern:
    """The whitespace and punctuation of ASCII, general punctuation, CJK punctuation and full-width
    forms that NFKC leaves whitespace or punctuation (。，！ and the ideographic space, not ㎡ or
    ①, which become m2 and 1): removing them first leaves most messages already in NFKC form."""
    blocks = [(0, 0x80), (0x2000, 0x2070), (0x3000, 0x3040), (0xFF01, 0xFF66)]
    chars = [
        c
        for first, end in blocks
        for c in map(chr, range(first, end))
        if _DROP.fullmatch(c)
        and not unicodedata.combining(c)
        and _DROP.fullmatch(unicodedata.normalize("NFKC", c))
    ]
    return re.compile("[" + "".join(map(re.escape, chars)) + "]+")


_DROP_FIRST = _dropped_before_normalising()


def clean(text: str) -> str:
    """The text in NFKC form (full-width letters and digits as ASCII: ＡＢ３ → AB3) without
    whitespace and punctuation, cut to MAX_CHARS. Normalising is the costly step, so it is done
    only on a text that common punctuation removed does not leave normalised already."""
    text = _DROP_FIRST.sub("", text or "")
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return _DROP.sub("", text)[:MAX_CHARS]


def char_terms(text: str) -> list[str]:
    """Character bigrams."""
    return list(map(str.__add__, text, text[1:]))


class WordScanner:
    """The vocabulary words that occur in a text (overlaps allowed), found by looking up, at
    each position, only the lengths of the words that start with the two characters there."""

    def __init__(self, vocabulary: set[str]) -> None:
        lengths: dict[str, set[int]] = {}
        for word in vocabulary:
            lengths.setdefault(word[:2], set()).add(len(word))
        self.vocabulary = vocabulary
        self.lengths = {prefix: sorted(ls) for prefix, ls in lengths.items()}

    def __call__(self, text: str) -> list[str]:
        vocabulary, lengths, n = self.vocabulary, self.lengths, len(text)
        out = []
        for i, pair in enumerate(map(str.__add__, text, text[1:])):
            found = lengths.get(pair)
            if found:
                for length in found:
                    if length == 2:
                        out.append(pair)
                    elif i + length <= n:  # not a shorter word cut off by the end of the text
                        word = text[i : i + length]
                        if word in vocabulary:
                            out.append(word)
        return out


def training_words(texts: Sequence[str], segmenter=None, min_count: int = 2) -> set[str]:
    """The word vocabulary of the training texts: their own segmentation where they carry
    spaces, else `segmenter(text)` (jieba); words of 2–8 characters in at least `min_count`
    texts."""
    counts: Counter[str] = Counter()
    for text in texts:
        text = unicodedata.normalize("NFKC", text)  # as `clean` gives the text words are found in
        segmented = segmenter is None or len(text.split()) > 3
        words = text.split() if segmented else segmenter(text)
        counts.update({_DROP.sub("", w) for w in words})
    return {w for w, c in counts.items() if c >= min_count and len(w) in WORD_LENGTHS}


_EXACT = 3  # three 21-bit code points fit in 64 bits: n-grams up to here are keyed exactly
_SHIFT = np.uint64(21)


_ABOVE = (1 << 64) - 1  # a key above those of every n-gram of up to _EXACT characters


def _key(term: str) -> int:
    """The integer key of a term of at most three characters, as NgramTable computes it."""
    key = 0
    for char in term:
        key = key << 21 | ord(char)
    return key


class NgramTable:
    """The columns of the known terms (character n-grams) occurring in a text. A term may stand
    for a column in each feature block (a bigram that is also a word).

    Terms of up to three characters are found with a few numpy operations per length: every
    n-gram of the text is keyed by an integer (its code points side by side) and looked up in
    that length's sorted table. A longer term (a word of 4–8 characters: a few thousand, rare in
    any message) is looked up in a dictionary, only where the text holds the first three
    characters of one: those prefixes are entries of the three-character table too. Counting
    the columns gives the term counts the blocks' analyzers give."""

    def __init__(self, terms: Mapping[str, Sequence[int]]) -> None:
        by_length: dict[int, dict[str, Sequence[int]]] = {}
        self.longer: dict[str, list[int]] = {}
        longer_lengths: dict[str, set[int]] = {}  # of the longer terms, by their prefix
        for term, columns in terms.items():
            if len(term) <= _EXACT:
                by_length.setdefault(len(term), {})[term] = columns
            else:
                self.longer[term] = list(columns)
                longer_lengths.setdefault(term[:_EXACT], set()).add(len(term))
        for prefix in longer_lengths:
            by_length.setdefault(_EXACT, {}).setdefault(prefix, ())
        # per length: the sorted keys and, for each column a term may have, the column (-1: none);
        # a last key above any n-gram's keeps every search inside the table
        self.tables: dict[int, tuple[np.ndarray, list[np.ndarray]]] = {}
        self.longer_lengths: list[list[int]] = []  # per entry of the three-character table
        for length, entries in by_length.items():
            rows = sorted(entries.items(), key=lambda entry: _key(entry[0]))
            width = max(len(columns) for _term, columns in rows)
            self.tables[length] = (
                np.array([*(_key(term) for term, _c in rows), _ABOVE], dtype=np.uint64),
                [
                    np.array([*(c[i] if i < len(c) else -1 for _t, c in rows), -1], np.int64)
                    for i in range(width)
                ],
            )
            if length == _EXACT:
                self.longer_lengths = [sorted(longer_lengths.get(t, ())) for t, _c in rows]
        self.has_longer = np.array([bool(lengths) for lengths in self.longer_lengths], dtype=bool)

    def columns(self, text: str) -> np.ndarray:
        """The column of every known n-gram occurrence in the text (repeats included)."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        found: list[np.ndarray] = []
        key = codes
        for length in range(1, _EXACT + 1):
            if length > 1:
                if len(key) < 2:
                    break
                key = key[:-1] << _SHIFT | codes[length - 1 :]
            if length not in self.tables:
                continue
            keys, columns = self.tables[length]
            # sorted, the n-grams are found faster (the search stays in the cache); the longer
            # terms need the three-character ones where they stand
            needles = key if length == _EXACT else np.sort(key)
            position = keys.searchsorted(needles)
            hit = keys[position] == needles
            entries = position[hit]
            found.extend(c[entries] for c in columns)
            if length == _EXACT and self.longer:
                found.append(self._longer_terms(text, np.flatnonzero(hit), entries))
        joined = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
        return joined[joined >= 0]

    def _longer_terms(self, text: str, starts: np.ndarray, entries: np.ndarray) -> np.ndarray:
        """The columns of the terms of more than three characters that start where the text
        holds a known three-character entry (`starts`, `entries`)."""
        prefix = self.has_longer[entries]
        found: list[int] = []
        get, size = self.longer.get, len(text)
        lengths_of = self.longer_lengths
        for start, entry in zip(starts[prefix].tolist(), entries[prefix].tolist(), strict=True):
            for length in lengths_of[entry]:
                if start + length > size:  # not a shorter term cut off by the end of the text
                    break
                columns = get(text[start : start + length])
                if columns:
                    found += columns
        return np.array(found, dtype=np.int64)


class TfidfBlock:
    """Sublinear TF-IDF of the terms an analyzer gives, L2-normalised (as scikit-learn's
    TfidfVectorizer with sublinear_tf=True and smooth idf, min_df=2), in plain Python and numpy."""

    def __init__(self, analyzer, min_df: int = 2) -> None:
        self.analyzer = analyzer
        self.min_df = min_df
        self.index: dict[str, int] = {}
        self.idf = np.zeros(0, dtype=np.float32)

    def fit_matrix(self, docs: Sequence[str]) -> sp.csr_matrix:
        """Learn the terms and their idf from the documents; return their matrix."""
        analyzed = [self.analyzer(doc) for doc in docs]
        df: Counter[str] = Counter()
        for terms in analyzed:
            df.update(set(terms))
        kept = sorted(t for t, c in df.items() if c >= self.min_df)
        self.index = {t: i for i, t in enumerate(kept)}
        n = len(docs)
        counts = np.fromiter((df[t] for t in kept), dtype=np.float64, count=len(kept))
        self.idf = (np.log((1 + n) / (1 + counts)) + 1).astype(np.float32)
        return self.counted_matrix(analyzed)

    def counted_matrix(self, analyzed: list[list[str]]) -> sp.csr_matrix:
        """The matrix of documents given as their analyzed terms (the training path)."""
        get = self.index.get
        ids = [np.array(list(map(get, terms, repeat(-1))), dtype=np.int64) for terms in analyzed]
        rows = np.repeat(np.arange(len(ids)), [len(i) for i in ids])
        columns = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        known = columns >= 0
        matrix = sp.csr_matrix(
            (np.ones(int(known.sum()), dtype=np.float32), (rows[known], columns[known])),
            shape=(len(ids), len(self.index)),
        )  # duplicates summed: term counts
        matrix.sum_duplicates()
        matrix.data = (1 + np.log(matrix.data)) * self.idf[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sp.csr_matrix(sp.diags(1 / norms) @ matrix, dtype=np.float32)

    @property
    def width(self) -> int:
        return len(self.index)


class Featurizer:
    """Text → sparse feature matrix: the character block and the word block side by side.
    Training counts each block's terms with its analyzer; prediction finds both blocks' terms
    in one pass of an NgramTable (built on first use: it is not stored with the model)."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.blocks = [TfidfBlock(char_terms), TfidfBlock(WordScanner(vocabulary))]
        self._table: NgramTable | None = None
        self._idf = np.zeros(0, dtype=np.float32)
        self._block_ends = np.zeros(0, dtype=np.int64)

    @property
    def width(self) -> int:
        return sum(block.width for block in self.blocks)

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        cleaned = [clean(t) for t in texts]
        self._table = None
        return sp.hstack([block.fit_matrix(cleaned) for block in self.blocks], format="csr")

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        rows = [self.row(text) for text in texts]
        return sp.csr_matrix(
            (
                np.concatenate([w for _c, w in rows]) if rows else np.zeros(0, np.float32),
                np.concatenate([c for c, _w in rows]) if rows else np.zeros(0, np.int64),
                np.cumsum([0, *(len(columns) for columns, _w in rows)]),
            ),
            shape=(len(texts), self.width),
            dtype=np.float32,
        )

    def row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(feature indices, ascending, and weights) of one text."""
        if self._table is None:
            self._build_table()
        assert self._table is not None
        found = np.sort(self._table.columns(clean(text)))
        if not len(found):
            return found, np.zeros(0, dtype=np.float32)
        # counting a sorted array: where each run of equal columns starts, and its length
        change = np.empty(len(found), dtype=bool)
        change[0] = True
        np.not_equal(found[1:], found[:-1], out=change[1:])
        starts = np.flatnonzero(change)
        columns = found[starts]
        run_ends = np.empty_like(starts)  # (np.diff with append= costs more than all the rest)
        run_ends[:-1] = starts[1:]
        run_ends[-1] = len(found)
        tf = (run_ends - starts).astype(np.float32)
        weights = (np.log(tf) + 1) * self._idf[columns]
        block_ends = columns.searchsorted(self._block_ends).tolist()
        for start, end in zip([0, *block_ends[:-1]], block_ends, strict=True):  # each on its own
            part = weights[start:end]
            norm = np.sqrt(np.dot(part, part))
            if norm:
                part /= norm
        return columns, weights

    def _build_table(self) -> None:
        terms: dict[str, list[int]] = {}
        offset = 0
        for block in self.blocks:
            for term, column in block.index.items():
                terms.setdefault(term, []).append(offset + column)
            offset += block.width
        self._table = NgramTable(terms)
        self._idf = np.concatenate([block.idf for block in self.blocks]).astype(np.float32)
        self._block_ends = np.cumsum([block.width for block in self.blocks])


@dataclass(frozen=True)
class Prediction:
    domain: str
    confidence: float
    department: str


@dataclass
class IntakeClassifier:
    """A trained classifier: the featurizer, the SVM's weights (features × classes) and
    intercepts, and per class the Platt calibration (a, b) that turns a decision value f into
    1 / (1 + exp(a·f + b)); `departments` maps each domain to the department answering."""

    featurizer: Featurizer
    coef: np.ndarray
    intercept: np.ndarray
    platt: np.ndarray
    classes: list[str]
    departments: dict[str, str] = field(default_factory=dict)
    training_seconds: float = 0.0

    def decision_values(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:  # one message: no sparse matrix, no per-call checks
            columns, weights = self.featurizer.row(texts[0])
            return (weights @ self.coef[columns] + self.intercept)[None, :]
        return np.asarray(self.featurizer.transform(texts) @ self.coef) + self.intercept

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return calibrated(self.decision_values(texts), self.platt)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        if not len(texts):
            return []
        proba = self.probabilities(texts)
        best = proba.argmax(axis=1)
        return [
            Prediction(
                domain=self.classes[b],
                confidence=float(proba[i, b]),
                department=self.departments.get(self.classes[b], ""),
            )
            for i, b in enumerate(best)
        ]

    def predict_one(self, text: str) -> Prediction:
        return self.predict([text])[0]

    def to_bytes(self) -> bytes:
        """The model as a compressed numpy archive of arrays and JSON metadata."""
        chars, words = self.featurizer.blocks
        assert isinstance(words.analyzer, WordScanner)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            format=np.array(STORAGE_FORMAT),
            meta=np.array(
                json.dumps(
                    {
                        "classes": self.classes,
                        "departments": self.departments,
                        "training_seconds": self.training_seconds,
                    },
                    ensure_ascii=False,
                )
            ),
            coef=self.coef,
            intercept=self.intercept,
            platt=self.platt,
            char_terms=_terms_of(chars),
            char_idf=chars.idf,
            word_terms=_terms_of(words),
            word_idf=words.idf,
            vocabulary=np.array(sorted(words.analyzer.vocabulary), dtype=str),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, content: bytes) -> "IntakeClassifier":
        with np.load(io.BytesIO(content), allow_pickle=False) as saved:
            if str(saved["format"]) != STORAGE_FORMAT:
                raise ValueError(f"not a stored intake model of format {STORAGE_FORMAT}")
            meta = json.loads(str(saved["meta"]))
            featurizer = Featurizer(set(saved["vocabulary"].tolist()))
            for block, prefix in zip(featurizer.blocks, ("char", "word"), strict=True):
                block.index = {t: i for i, t in enumerate(saved[f"{prefix}_terms"].tolist())}
                block.idf = saved[f"{prefix}_idf"]
            return cls(
                featurizer=featurizer,
                coef=saved["coef"],
                intercept=saved["intercept"],
                platt=saved["platt"],
                classes=meta["classes"],
                departments=meta["departments"],
                training_seconds=meta["training_seconds"],
            )


STORAGE_FORMAT = "shoushan-intake-1"


def _terms_of(block: "TfidfBlock") -> np.ndarray:
    terms = sorted(block.index, key=block.index.__getitem__)
    return np.array(terms, dtype=str)


def calibrated(scores: np.ndarray, platt: np.ndarray) -> np.ndarray:
    """Per-class Platt probabilities, normalised to sum to one over the classes."""
    proba = expit(-(scores * platt[:, 0] + platt[:, 1]))
    total = proba.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return proba / total


def _platt(scores: np.ndarray, y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Platt scaling per class (one-vs-rest): a logistic fit of `is this class` on the class's
    held-out decision values; returns (a, b) rows in the form 1 / (1 + exp(a·f + b))."""
    from sklearn.linear_model import LogisticRegression

    rows = []
    for k, label in enumerate(classes):
        target = (y == label).astype(int)
        if target.min() == target.max():
            rows.append((-1.0, 0.0))
            continue
        fit = LogisticRegression(C=1e4).fit(scores[:, k : k + 1], target)
        rows.append((-float(fit.coef_[0, 0]), -float(fit.intercept_[0])))
    return np.array(rows, dtype=np.float64)


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    departments: Mapping[str, str] | None = None,
    segmenter=None,
    c: float = 0.5,
    groups: np.ndarray | None = None,
) -> IntakeClassifier:
    """Fit the classifier on labelled texts (segmented or raw). The calibration is fitted on
    3-fold out-of-fold decision values, near-duplicates kept in one fold (`groups`, else
    `near_duplicate_groups`), so that a confidence speaks of messages unlike any seen; folds
    are reduced for rare classes; none below two examples per class: then a = -1, b = 0, a
    plain logistic of the margin."""
    from sklearn.model_selection import cross_val_predict
    from sklearn.svm import LinearSVC

    if len(texts) != len(labels):
        raise ValueError("texts and labels differ in length")
    counts = Counter(labels)
    if len(counts) < 2:
        raise ValueError("training needs at least two classes")
    started = time.perf_counter()
    y = np.asarray(labels)
    groups = None if groups is None else np.asarray(groups)
    featurizer = Featurizer(training_words(texts, segmenter))
    matrix = featurizer.fit_transform(texts)
    svm = LinearSVC(C=c, class_weight="balanced")
    svm.fit(matrix, y)
    classes = svm.classes_
    splitter, grouped = folds_of(y, near_duplicate_groups(texts) if groups is None else groups, 3)
    if splitter is not None:
        held_out = cross_val_predict(
            LinearSVC(C=c, class_weight="balanced"),
            matrix,
            y,
            groups=grouped,
            cv=splitter,
            method="decision_function",
        )
        if held_out.ndim == 1:
            held_out = np.column_stack([-held_out, held_out])
        platt = _platt(held_out, y, classes)
    else:
        platt = np.tile([-1.0, 0.0], (len(classes), 1))
    coef = svm.coef_.T.astype(np.float32)
    intercept = svm.intercept_.astype(np.float32)
    if len(classes) == 2:  # scikit-learn keeps one column for two classes
        coef = np.column_stack([-coef[:, 0], coef[:, 0]])
        intercept = np.array([-intercept[0], intercept[0]], dtype=np.float32)
    return IntakeClassifier(
        featurizer=featurizer,
        coef=np.ascontiguousarray(coef),
        intercept=intercept,
        platt=platt,
        classes=[str(c) for c in classes],
        departments=dict(departments or {}),
        training_seconds=time.perf_counter() - started,
    )


def folds_of(labels: np.ndarray, groups: np.ndarray, folds: int, seed: int = 0):
    """(splitter, groups to split by) for stratified k-fold with each group in one fold. Every
    class must be in each fold's training part: where a class has fewer groups than folds (text
    made from templates, all alike), the folds are plain stratified ones (groups None), as many
    as the rarest class allows; (None, None) when that is below two."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    labels, groups = np.asarray(labels), np.asarray(groups)
    classes = set(labels.tolist())
    if min(len(set(groups[labels == label].tolist())) for label in classes) >= folds:
        return StratifiedGroupKFold(folds, shuffle=True, random_state=seed), groups
    folds = min(folds, min(int((labels == label).sum()) for label in classes))
    if folds < 2:
        return None, None
    return StratifiedKFold(folds, shuffle=True, random_state=seed), None


NEAR_DUPLICATE_SIMILARITY = 0.25


def near_duplicate_groups(
    texts: Sequence[str], similarity: float = NEAR_DUPLICATE_SIMILARITY, cells: int = 20_000_000
) -> np.ndarray:
    """A group number for each text: texts joined by a chain of pairs at least `similarity`
    alike (cosine of their TF-IDF character bigrams, whitespace and punctuation removed) share
    one. In the TipDM messages, pairs from 0.25 up are the same writer writing again or the
    same estate's (or factory's, or school's) residents on the same problem; below, mostly
    different people on a common subject. Rows are compared a block at a time, a block of at
    most `cells` pairs (about 0.25 GB), so memory does not grow with the square of the texts."""
    from scipy.sparse.csgraph import connected_components
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not len(texts):
        return np.zeros(0, dtype=np.int64)
    bigrams = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    try:
        matrix = bigrams.fit_transform([clean(t) for t in texts]).tocsr()
    except ValueError:  # no text of two characters: every text its own group
        return np.arange(len(texts))
    linked, transposed = [], matrix.T.tocsr()
    block = max(1, cells // matrix.shape[0])
    for start in range(0, matrix.shape[0], block):
        alike = matrix[start : start + block] @ transposed
        alike.data = (alike.data >= similarity).astype(np.int8)
        alike.eliminate_zeros()
        linked.append(alike)
    return connected_components(sp.vstack(linked, format="csr"), directed=False)[1]


# ---- evaluation --------------------------------------------------------------------------------


def evaluation_report(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    """Per-class precision, recall, F1 and support; accuracy and macro-F1."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    present = sorted(set(truth))
    return {
        "classes": {
            label: {
                "precision": round(float(precision[i]), 4),
                "recall": round(float(recall[i]), 4),
                "f1": round(float(f1[i]), 4),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=present, average="macro", zero_division=0)),
            4,
        ),
        "n": len(truth),
    }


def report_lines(report: dict) -> list[str]:
    """The report as text lines; the last is `accuracy=0.xxx macro_f1=0.xxx`, followed by
    `auto_precision=0.xxx auto_coverage=0.xxx` when the report has them."""
    width = max([len(label) for label in report["classes"]] + [5])
    lines = [f"{'class':<{width}}  precision  recall     f1  support"]
    for label, row in report["classes"].items():
        lines.append(
            f"{label:<{width}}  {row['precision']:9.3f}  {row['recall']:6.3f}  {row['f1']:5.3f}"
            f"  {row['support']:7d}"
        )
    last = f"accuracy={report['accuracy']:.3f} macro_f1={report['macro_f1']:.3f}"
    if "auto_precision" in report:
        last += (
            f" auto_precision={report['auto_precision']:.3f}"
            f" auto_coverage={report['auto_coverage']:.3f}"
        )
    lines.append(last)
    return lines


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    segmenter=None,
    c: float = 0.5,
) -> dict:
    """Stratified k-fold cross-validation, twice: `grouped` keeps near-duplicates
    (`near_duplicate_groups`) in one fold, so each held-out message is unlike any it was trained
    on, as a new message is; `plain` splits at random, as is usual, and overstates what a model
    does on new messages when the file holds messages written again. Each fold's vocabulary,
    model and calibration come from its training part only. `dispatch` is the grouped
    cross-validation's curve: at each confidence threshold, the share of messages that reach it
    and the share of those predicted right (`dispatch_curve`); `dispatch_by_domain` the same for
    each predicted domain (`domain_dispatch_curves`)."""
    from sklearn.model_selection import StratifiedKFold

    texts, label_array = list(texts), np.asarray(labels)
    groups = near_duplicate_groups(texts)
    grouped_splitter, by = folds_of(label_array, groups, folds, seed)
    if grouped_splitter is None:
        raise ValueError("cross-validation needs at least two messages of every class")
    splits = {
        "grouped": grouped_splitter.split(texts, label_array, by),
        "plain": StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(
            texts, label_array
        ),
    }
    report: dict = {
        "method": f"stratified {folds}-fold cross-validation (shuffled, seed {seed})",
        "folds": folds,
        "seed": seed,
        "near_duplicate_similarity": NEAR_DUPLICATE_SIMILARITY,
        "near_duplicate_groups": len(set(groups.tolist())),
        # too few groups for the folds (text made from templates): "grouped" is plain too
        "grouped_by_near_duplicates": by is not None,
        "fold_training_seconds": [],
    }
    for name, split in splits.items():
        predicted = np.empty(len(texts), dtype=object)
        confidence = np.zeros(len(texts))
        for train_index, test_index in split:
            model = train(
                [texts[i] for i in train_index],
                label_array[train_index],
                segmenter=segmenter,
                c=c,
                groups=groups[train_index],
            )
            report["fold_training_seconds"].append(round(model.training_seconds, 2))
            held_out = model.predict([texts[i] for i in test_index])
            predicted[test_index] = [p.domain for p in held_out]
            confidence[test_index] = [p.confidence for p in held_out]
        report[name] = evaluation_report(list(label_array), list(predicted))
        if name == "grouped":
            correct = predicted == label_array
            report["dispatch"] = dispatch_curve(confidence, correct)
            report["dispatch_by_domain"] = domain_dispatch_curves(confidence, correct, predicted)
    return report


# ---- automatic dispatch: how confident is safe -------------------------------------------------

THRESHOLDS = [round(t / 100, 2) for t in range(100)]  # 0.00 … 0.99


def dispatch_curve(
    confidence: Sequence[float] | np.ndarray, correct: Sequence[bool] | np.ndarray
) -> list[list[float]]:
    """[threshold, precision, coverage] for each threshold of THRESHOLDS: coverage is the share
    of messages whose confidence reaches the threshold (dispatched without a person), precision
    the share of those whose predicted domain is right (0 when none reaches it)."""
    curve = []
    for threshold in THRESHOLDS:
        precision, coverage = dispatch_figures(confidence, correct, threshold)
        curve.append([threshold, precision, coverage])
    return curve


def dispatch_figures(
    confidence: Sequence[float] | np.ndarray,
    correct: Sequence[bool] | np.ndarray,
    threshold: float,
) -> tuple[float, float]:
    """(precision, coverage) of dispatching every message whose confidence reaches `threshold`."""
    reached = np.asarray(confidence, dtype=float) >= threshold
    if not reached.any():
        return 0.0, 0.0
    right = np.asarray(correct, dtype=bool)[reached]
    return round(float(right.mean()), 4), round(float(reached.mean()), 4)


# a domain's own precision is held to the target once this many of its messages are dispatched:
# below, a single wrong message would decide (1 of 20 is the 5 % a precision of 0.95 allows)
DOMAIN_JUDGED_FROM = 20


def domain_dispatch_curves(
    confidence: Sequence[float] | np.ndarray,
    correct: Sequence[bool] | np.ndarray,
    predicted: Sequence[str] | np.ndarray,
) -> dict[str, list[list[float]]]:
    """For each predicted domain, [threshold, precision, messages dispatched] at each threshold
    of THRESHOLDS: what the department answering for the domain would receive without a
    person, and how much of it is its own."""
    confidence = np.asarray(confidence, dtype=float)
    correct, predicted = np.asarray(correct, dtype=bool), np.asarray(predicted, dtype=object)
    curves = {}
    for domain in sorted(set(predicted.tolist())):
        mine = predicted == domain
        curve = []
        for threshold in THRESHOLDS:
            reached = mine & (confidence >= threshold)
            dispatched = int(reached.sum())
            precision = round(float(correct[reached].mean()), 4) if dispatched else 0.0
            curve.append([threshold, precision, dispatched])
        curves[str(domain)] = curve
    return curves


def threshold_for_precision(
    curve: list[list[float]],
    target: float,
    domains: Mapping[str, list[list[float]]] | None = None,
) -> float | None:
    """The lowest threshold of the curve whose precision reaches `target` (the most messages
    dispatched at that precision), and, with `domains` (`domain_dispatch_curves` of the same
    messages), at which every domain with at least DOMAIN_JUDGED_FROM messages dispatched
    reaches it too; None when no threshold does."""
    for threshold, precision, coverage in curve:
        if (
            coverage > 0
            and precision >= target
            and all(reached >= target for reached, _domain in _judged(domains, threshold))
        ):
            return threshold
    return None


def _judged(domains, threshold: float) -> list[tuple[float, str]]:
    """(precision, domain) at `threshold` of each domain with at least DOMAIN_JUDGED_FROM
    messages dispatched there."""
    judged = []
    for domain, curve in (domains or {}).items():
        point = _point_at(curve, threshold)
        if point is not None and point[2] >= DOMAIN_JUDGED_FROM:
            judged.append((point[1], domain))
    return judged


def _point_at(curve: list[list[float]], threshold: float) -> list[float] | None:
    above = [point for point in curve if point[0] >= threshold - 1e-9]
    return above[0] if above else None


def weakest_domain_at(
    domains: Mapping[str, list[list[float]]] | None, threshold: float
) -> tuple[str, float] | None:
    """(domain, precision) of the domain dispatched least right at `threshold` among those with
    at least DOMAIN_JUDGED_FROM messages dispatched; None when no domain has that many."""
    judged = _judged(domains, threshold)
    if not judged:
        return None
    precision, domain = min(judged)
    return domain, precision


def curve_at(curve: list[list[float]], threshold: float) -> tuple[float, float] | None:
    """(precision, coverage) of the curve at the lowest of its thresholds not below `threshold`
    (never more coverage than the threshold gives); (0, 0) above its last threshold (nothing
    dispatched alone); None for an empty curve."""
    if not curve:
        return None
    point = _point_at(curve, threshold)
    return (point[1], point[2]) if point else (0.0, 0.0)
