"""The month's problems (每月一题): group a month's messages into problems and rank them by heat;
flag weekly spikes of a category in a street against its own baseline. Pure: no Django.

A problem is a cluster of messages about the same thing (a compound's bundled parking spaces, a
bus route, a park's plan): TF-IDF over the words of the title (counted twice) and the text, then
average-linkage agglomerative clustering on cosine distance, cut at `threshold` (0.8: messages
whose words overlap by a cosine similarity of about 0.2 on average). It is exact and takes about
a second for a month of hundreds of messages; a city's month is clustered within each category,
at most MAX_CLUSTERED messages (the most supported) per category.

Heat (热度), documented on the page beside the ranking:

    heat = ln(1 + messages) + 0.5 · ln(1 + streets) + 0.5 · ln(1 + likes) + 0.5 · growth

where streets counts the distinct places the messages were located to, likes is the support the
channel records (点赞), and growth = ln((messages in the window's second half + 1) / (messages
in its first half + 1)), positive for a problem that is rising. Logarithms keep one viral message
from outweighing many residents; the weights are parameters.
"""

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
from scipy.stats import poisson

DEFAULT_THRESHOLD = 0.8
MAX_CLUSTERED = 5000  # average linkage holds an n × n matrix: 5,000² doubles = 200 MB


@dataclass(frozen=True)
class Message:
    id: str
    title: str
    text: str
    at: datetime
    likes: int = 0
    place: str | None = None  # e.g. the street code the message was located to
    category: str | None = None


@dataclass(frozen=True)
class HeatWeights:
    count: float = 1.0
    spread: float = 0.5
    support: float = 0.5
    growth: float = 0.5


@dataclass
class Problem:
    messages: list[Message]
    keywords: list[str]
    heat: float = 0.0
    likes: int = 0
    places: list[str] = field(default_factory=list)
    growth: float = 0.0
    weekly: list[int] = field(default_factory=list)  # messages per week of the window

    @property
    def key(self) -> str:
        """A stable name of the problem: the same messages, the same key. A page posts it back
        instead of a rank, which moves whenever a new message changes the clustering."""
        ids = ",".join(sorted(m.id for m in self.messages))
        return hashlib.sha256(ids.encode()).hexdigest()[:16]

    @property
    def title(self) -> str:
        """The most supported message's title (or its text's start) stands for the problem."""
        first = max(self.messages, key=lambda m: (m.likes, -m.at.timestamp()))
        return first.title or first.text[:40]

    def examples(self, k: int = 3) -> list[Message]:
        return sorted(self.messages, key=lambda m: (-m.likes, m.at))[:k]


Tokenizer = Callable[[str], list[str]]


def _clusters(texts: list[str], tokenize: Tokenizer, threshold: float) -> tuple[np.ndarray, list]:
    """Cluster labels of `texts` (average linkage on cosine distance, cut at `threshold`), and
    the TF-IDF matrix with its vectorizer for the keywords. scipy's linkage works on the
    condensed distance matrix in C: seconds for thousands of messages."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=tokenize, sublinear_tf=True)
    x = vectorizer.fit_transform(texts)  # rows have unit length: x·xᵀ is the cosine
    if x.shape[0] == 1 or x.shape[1] == 0:
        return np.zeros(x.shape[0], dtype=int), [(x, vectorizer)]
    distance = 1 - (x @ x.T).toarray()
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(np.clip(distance, 0, 2), checks=False), method="average")
    return fcluster(tree, t=threshold, criterion="distance"), [(x, vectorizer)]


def _keywords(x, vectorizer, rows: np.ndarray, k: int = 5) -> list[str]:
    weights = np.asarray(x[rows].sum(axis=0)).ravel()
    names = vectorizer.get_feature_names_out()
    return [str(names[i]) for i in np.argsort(-weights)[:k] if weights[i] > 0]


def problems_find(
    messages: Sequence[Message],
    tokenize: Tokenizer,
    *,
    start: datetime,
    end: datetime,
    threshold: float = DEFAULT_THRESHOLD,
    weights: HeatWeights = HeatWeights(),
) -> list[Problem]:
    """The problems of the messages in [start, end), hottest first. Messages of different
    categories are never grouped together; without categories, all are clustered as one set
    (at most MAX_CLUSTERED per set: the most supported first)."""
    window = [m for m in messages if start <= m.at < end]
    by_category: dict[str | None, list[Message]] = {}
    for m in window:
        by_category.setdefault(m.category, []).append(m)
    found: list[Problem] = []
    for group in by_category.values():
        group = sorted(group, key=lambda m: (-m.likes, m.at))[:MAX_CLUSTERED]
        texts = [f"{m.title}\n{m.title}\n{m.text}" for m in group]
        labels, [(x, vectorizer)] = _clusters(texts, tokenize, threshold)
        for label in np.unique(labels):
            rows = np.flatnonzero(labels == label)
            found.append(Problem([group[i] for i in rows], _keywords(x, vectorizer, rows)))
    for problem in found:
        _score(problem, start, end, weights)
    return sorted(found, key=lambda p: -p.heat)


def _score(problem: Problem, start: datetime, end: datetime, w: HeatWeights) -> None:
    messages = problem.messages
    middle = start + (end - start) / 2
    first = sum(1 for m in messages if m.at < middle)
    second = len(messages) - first
    problem.likes = sum(max(m.likes, 0) for m in messages)
    problem.places = sorted({m.place for m in messages if m.place})
    problem.growth = math.log((second + 1) / (first + 1))
    problem.heat = (
        w.count * math.log1p(len(messages))
        + w.spread * math.log1p(len(problem.places))
        + w.support * math.log1p(problem.likes)
        + w.growth * problem.growth
    )
    weeks = max(1, math.ceil((end - start) / timedelta(days=7)))
    problem.weekly = [0] * weeks
    for m in messages:
        problem.weekly[min(int((m.at - start) / timedelta(days=7)), weeks - 1)] += 1


# ---- spikes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    key: tuple  # e.g. (street code, category code)
    week: int  # index of the flagged week
    count: int
    baseline: float  # mean weekly count over the baseline weeks
    p_value: float


def spikes_find(
    weekly: Mapping[tuple, Sequence[int]],
    *,
    baseline_weeks: int = 8,
    p_value: float = 0.01,
    min_count: int = 3,
) -> list[Spike]:
    """Flag the last week of each series when its count is improbably high for the series' own
    baseline: P(X ≥ count) < `p_value` for X ~ Poisson(mean of the previous `baseline_weeks`,
    at least 0.5 so that a street with no history needs several cases), and count ≥ `min_count`.
    Streets are compared with themselves, so a busy street is not flagged for being busy."""
    out = []
    for key, series in weekly.items():
        if len(series) < 2:
            continue
        count = int(series[-1])
        history = np.asarray(series[-1 - baseline_weeks : -1], dtype=float)
        mean = max(float(history.mean()), 0.5)
        p = float(poisson.sf(count - 1, mean))
        if count >= min_count and p < p_value:
            out.append(Spike(key, len(series) - 1, count, round(float(history.mean()), 2), p))
    return sorted(out, key=lambda s: s.p_value)


# ---- a tokenizer for Chinese messages ---------------------------------------------------------

STOP_WORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "topic_stop_words.txt"


@cache
def stop_words() -> frozenset[str]:
    """Words that say nothing about which problem a message raises (a data file)."""
    lines = STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def words(text: str) -> list[str]:
    """jieba's words of two or more characters, stop words, numbers and punctuation dropped."""
    import jieba

    stop = stop_words()
    return [
        w
        for w in jieba.lcut(text)
        if len(w) >= 2 and w not in stop and not re.fullmatch(r"[\W\d_]+", w)
    ]


def most_common_places(problem: Problem, k: int = 3) -> list[tuple[str, int]]:
    return Counter(m.place for m in problem.messages if m.place).most_common(k)
