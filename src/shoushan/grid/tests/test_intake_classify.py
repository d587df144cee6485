"""The intake classifier and segmenter on the real TipDM messages (../shared/data/complaints),
pure. Training here uses a subset; the full 5-fold cross-validation is bench/intake_classify.py."""

import csv
import pickle
import re
import unicodedata

import numpy as np
import pytest
import scipy.sparse as sp
from django.conf import settings

from shoushan.grid.intake import classify, segment

COMPLAINTS = settings.SHARED_DATA_DIR / "complaints"
LABELLED = COMPLAINTS / "tipdm2020c_attachment2_segmented_labelled_train.csv"
RAW = COMPLAINTS / "tipdm2020c_attachment3_hotspot4326.csv"
pytestmark = pytest.mark.skipif(
    not (LABELLED.is_file() and RAW.is_file()), reason=f"no labelled messages at {COMPLAINTS}"
)
DEPARTMENTS = {"交通运输": "区交通委员会", "卫生计生": "区卫生健康委员会"}


def read(path):
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def labelled():
    rows = read(LABELLED)
    return [r["分词文本"] for r in rows], [r["一级标签"] for r in rows]


@pytest.fixture(scope="module")
def split(labelled):
    """Every third message for training, the next one held out (stratification by position is
    good enough: the file is grouped by label)."""
    texts, labels = labelled
    train = [i for i in range(len(texts)) if i % 6 in (0, 3)]
    test = [i for i in range(len(texts)) if i % 6 == 1]
    return (
        [texts[i] for i in train],
        [labels[i] for i in train],
        [texts[i] for i in test],
        [labels[i] for i in test],
    )


@pytest.fixture(scope="module")
def model(split):
    train_texts, train_labels, _t, _l = split
    return classify.train(train_texts, train_labels, departments=DEPARTMENTS)


def test_the_labelled_set_has_seven_domains(labelled):
    assert len(labelled[0]) == 8603 and len(set(labelled[1])) == 7


def test_held_out_messages_are_classified_as_given_and_without_spaces(model, split):
    _tt, _tl, test_texts, test_labels = split
    given = [p.domain for p in model.predict(test_texts)]
    raw_like = [p.domain for p in model.predict(["".join(t.split()) for t in test_texts])]
    report = classify.evaluation_report(test_labels, given)
    assert report["macro_f1"] > 0.85  # a third of the data; the full set reaches 0.93
    assert classify.evaluation_report(test_labels, raw_like)["macro_f1"] > 0.85
    assert set(report["classes"]) == set(test_labels)


def test_raw_messages_get_a_domain_a_department_and_a_probability(model):
    raw = [f"{r['留言主题']}\n{r['留言详情']}" for r in read(RAW)[:300]]
    predictions = model.predict(raw)
    assert len(predictions) == 300
    assert all(0 < p.confidence <= 1 for p in predictions)
    assert {p.domain for p in predictions} <= set(model.classes)
    assert all(p.department == DEPARTMENTS.get(p.domain, "") for p in predictions)
    proba = model.probabilities(raw[:20])
    assert np.allclose(proba.sum(axis=1), 1)
    # the busiest domain of the raw sample is the housing and construction one
    domains = [p.domain for p in predictions]
    assert max(set(domains), key=domains.count) == "城乡建设"


def test_obvious_raw_messages(model):
    bus = model.predict_one("A市出租车司机拒载绕路，乱收费，希望运管处查处！")
    school = model.predict_one("孩子今年9月上小学，学区划分不合理，学校说没有学位，入学怎么办？")
    assert bus.domain == "交通运输" and bus.department == "区交通委员会"
    assert school.domain == "教育文体"


def test_one_message_scores_as_in_a_batch(model, split):
    texts = split[2][:30]
    batch = model.decision_values(texts)
    alone = np.vstack([model.decision_values([t]) for t in texts])
    assert np.allclose(batch, alone, atol=1e-4)
    assert model.predict([]) == []
    assert model.predict_one("").domain in model.classes


def test_prediction_finds_the_same_terms_as_training_counts(model):
    """The numpy n-gram lookup of prediction and the plain counting of training agree, term for
    term and count for count, on raw messages (emoji, Latin letters, digits and text ends
    included)."""
    texts = [f"{r['留言主题']}\n{r['留言详情']}" for r in read(RAW)[:400]]
    texts += ["", "a", "路灯", "🙂🙂路灯不亮🙂", "ABC123小区小区小区", "垃圾清运不及时。"]
    featurizer = model.featurizer
    cleaned = [classify.clean(text) for text in texts]
    counted = sp.hstack(
        [block.counted_matrix([block.analyzer(t) for t in cleaned]) for block in featurizer.blocks],
        format="csr",
    )
    looked_up = featurizer.transform(texts)
    assert (counted != 0).nnz == looked_up.nnz
    assert abs(counted - looked_up).max() < 1e-6


def test_a_term_is_found_wherever_it_is_written_and_only_there():
    """Terms of up to three characters are keyed exactly; a longer one is looked up where its
    first three characters stand, and a term cut off by the end of the text is not there. A
    term with a column in each block gives both."""
    terms = {"垃圾清运": [0], "清运不及时": [1], "垃圾": [2, 7], "清运车": [3], "不及时": [4]}
    table = classify.NgramTable({**terms, "圾清": [5]})
    assert sorted(table.columns("垃圾清运不及时")) == [0, 1, 2, 4, 5, 7]
    assert sorted(table.columns("垃圾清运不及")) == [0, 2, 5, 7]
    assert sorted(table.columns("垃圾垃圾清运车垃")) == [0, 2, 2, 3, 5, 7, 7]
    assert list(table.columns("")) == list(table.columns("垃")) == []
    assert list(classify.NgramTable({}).columns("垃圾")) == []


def test_cleaning_removes_punctuation_before_normalising_as_after():
    """`clean` drops common punctuation before NFKC, which is then needed by few messages; the
    result is the text normalised first and stripped after, for punctuation of every block it
    drops first and for the characters NFKC turns into letters or digits."""
    punctuation = [chr(c) for c in [*range(0, 0x80), *range(0x2000, 0x2070)]]
    punctuation += [chr(c) for c in [*range(0x3000, 0x3040), *range(0xFF01, 0xFF66)]]
    others = [*"小区垃圾ＡＢ３㎡①™½ｶﾞ〇々🙂é", "e\u0301"]
    rng = np.random.default_rng(0)
    for _ in range(2000):
        text = "".join(rng.choice(punctuation + others, size=12))
        expected = re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text))
        assert classify.clean(text) == expected, repr(text)


def test_a_stored_model_is_arrays_and_predicts_the_same(model, split):
    stored = model.to_bytes()
    again = classify.IntakeClassifier.from_bytes(stored)
    texts = split[2][:20]
    assert [p.domain for p in again.predict(texts)] == [p.domain for p in model.predict(texts)]
    assert np.allclose(again.probabilities(texts), model.probabilities(texts))
    assert b"shoushan.grid" not in stored  # no class of the code base is named in it
    with pytest.raises(ValueError):  # a pickle is refused, never run
        classify.IntakeClassifier.from_bytes(pickle.dumps(model))


def test_report_lines_end_with_accuracy_and_macro_f1():
    report = classify.evaluation_report(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    lines = classify.report_lines(report)
    assert re.fullmatch(r"accuracy=0\.\d{3} macro_f1=0\.\d{3}", lines[-1])
    assert lines[-1] == "accuracy=0.750 macro_f1=0.733"
    report.update(auto_precision=1.0, auto_coverage=0.25)
    last = classify.report_lines(report)[-1]
    assert last == "accuracy=0.750 macro_f1=0.733 auto_precision=1.000 auto_coverage=0.250"
    assert any(line.startswith("a ") for line in lines)


def test_cross_validation_reports_grouped_and_plain_scores_and_the_dispatch_curve(labelled):
    texts, labels = labelled
    sample = list(range(0, len(texts), 12))
    cv = classify.cross_validate([texts[i] for i in sample], [labels[i] for i in sample], folds=2)
    assert cv["method"].startswith("stratified 2-fold")
    assert cv["grouped"]["n"] == cv["plain"]["n"] == len(sample)
    assert cv["grouped"]["macro_f1"] > 0.6 and cv["plain"]["macro_f1"] > 0.6
    assert 0 < cv["near_duplicate_groups"] <= len(sample)
    thresholds = [t for t, _p, _c in cv["dispatch"]]
    assert thresholds == classify.THRESHOLDS
    coverage = [c for _t, _p, c in cv["dispatch"]]
    assert coverage[0] == 1 and coverage == sorted(coverage, reverse=True)


def test_near_duplicates_share_a_group_and_different_messages_do_not():
    groups = classify.near_duplicate_groups(
        [
            "幸福小区3号楼门口垃圾堆放多日无人清理，气味难闻。",
            "幸福小区３号楼门口的垃圾堆放多日，无人清理！",  # the same writer again
            "公交车晚点一小时，司机态度恶劣。",
            "学校周边道路拥堵，希望增加交警。",
            "",
        ]
    )
    assert groups[0] == groups[1]
    assert len({groups[0], groups[2], groups[3], groups[4]}) == 4


def test_the_threshold_is_the_lowest_that_dispatches_with_the_wanted_precision():
    confidence = [0.95, 0.9, 0.85, 0.8, 0.7, 0.65, 0.5, 0.4]
    correct = [True, True, True, True, True, False, True, False]
    assert classify.dispatch_figures(confidence, correct, 0.8) == (1.0, 0.5)
    assert classify.dispatch_figures(confidence, correct, 0.99) == (0.0, 0.0)
    curve = classify.dispatch_curve(confidence, correct)
    assert classify.threshold_for_precision(curve, 1.0) == 0.66
    assert classify.threshold_for_precision(curve, 0.8) == 0.41  # 6 of 7 at 0.41 and up
    assert classify.curve_at(curve, 0.665) == (1.0, 0.625)  # read at 0.67, never more coverage
    assert classify.curve_at(curve, 1.0) == (0.0, 0.0)  # threshold 1: nothing goes out alone
    assert classify.curve_at([], 0.5) is None
    assert classify.threshold_for_precision([[0.5, 0.9, 0.3]], 0.95) is None


def test_the_threshold_holds_every_domain_judged_to_the_precision_too():
    # 交通: 100 messages at 0.9, all right; 环保: 30 at 0.9, all right, and 30 at 0.6 with 6
    # wrong; 卫生: 5 at 0.5 with 1 wrong, too few dispatched for its own precision to be judged
    confidence = [0.9] * 130 + [0.6] * 30 + [0.5] * 5
    predicted = ["交通"] * 100 + ["环保"] * 60 + ["卫生"] * 5
    correct = [True] * 130 + [False] * 6 + [True] * 24 + [False] + [True] * 4
    curve = classify.dispatch_curve(confidence, correct)
    domains = classify.domain_dispatch_curves(confidence, correct, predicted)
    assert sorted(domains) == ["交通", "卫生", "环保"]
    assert domains["环保"][60] == [0.6, 0.9, 60] and domains["环保"][61] == [0.61, 1.0, 30]
    assert domains["卫生"][50] == [0.5, 0.8, 5] and domains["卫生"][51] == [0.51, 0.0, 0]
    # the whole is 158 of 165 right (0.958) from 0; 环保's department gets 0.9 up to 0.6
    assert classify.threshold_for_precision(curve, 0.95) == 0.0
    assert classify.threshold_for_precision(curve, 0.95, domains) == 0.61
    assert classify.threshold_for_precision(curve, 0.9, domains) == 0.0  # 卫生's 0.8 not judged
    assert classify.threshold_for_precision([[0.5, 1.0, 0.3]], 0.95, {}) == 0.5
    assert classify.weakest_domain_at(domains, 0.5) == ("环保", 0.9)
    assert classify.weakest_domain_at(domains, 0.7) == ("交通", 1.0)  # 环保 1.0 too: by name
    assert classify.weakest_domain_at(domains, 0.95) is None  # nothing dispatched
    assert classify.weakest_domain_at(None, 0.5) is None


def test_full_width_letters_and_digits_read_as_ascii():
    assert classify.clean("Ａ３区　１２号楼，") == "A3区12号楼"
    # the vocabulary is folded alike, so a full-width word is found in cleaned text
    words = classify.training_words(["ＡＢ３栋 漏水 问题 严重", "ＡＢ３栋 漏水 无人 处理"])
    assert "AB3栋" in words and "AB3栋" in classify.WordScanner(words)(
        classify.clean("ＡＢ３栋漏水")
    )


def test_training_needs_two_classes():
    with pytest.raises(ValueError):
        classify.train(["一", "二"], ["x", "x"])


def test_raw_training_text_is_segmented_with_jieba_and_the_user_dictionary():
    segment.dictionary_add(["幸福二村社区", "三里屯街道", "暴露垃圾"])
    words = segment.segment("朝阳区三里屯街道幸福二村社区门口有暴露垃圾，没人清理。")
    assert "三里屯街道" in words and "幸福二村社区" in words and "暴露垃圾" in words
    assert "，" not in words and "。" not in words
    texts = ["小区门口暴露垃圾没人清理", "暴露垃圾堆在路边", "公交车晚点太久", "等了公交车一小时"]
    vocabulary = classify.training_words(texts, segment.segment)
    assert "暴露垃圾" in vocabulary and "公交车" in vocabulary
    model = classify.train(texts * 2, ["环境保护", "环境保护", "交通运输", "交通运输"] * 2)
    assert model.predict_one("楼下暴露垃圾").domain == "环境保护"
