"""The shipped model on the city's held-out messages (docs/triage.md has the full report).

Guards below the measured numbers, so a change that makes the model clearly worse fails.
"""

from suishoupai.triage import engine, evaluation
from suishoupai.triage.config import read_examples, triage_dir


def test_no_held_out_message_is_also_a_training_example():
    train = {t for _, t in read_examples(triage_dir() / "train.tsv")}
    test = {t for _, t in read_examples(triage_dir() / "test.tsv")}
    assert not train & test
    s_train = {t for _, t in read_examples(triage_dir() / "sentiment_train.tsv")}
    s_test = {t for _, t in read_examples(triage_dir() / "sentiment_test.tsv")}
    assert not s_train & s_test


def test_the_model_keeps_its_measured_quality_on_held_out_messages(triage_model):
    report = evaluation.evaluate_categories(evaluation.test_rows(), engine.current())
    recall, false_flags = report.flagged()
    assert report.n_in >= 100 and report.n_out >= 50
    assert report.top1 / report.n_in >= 0.88  # measured 90.5 %
    assert recall >= 0.93  # measured 96.6 %
    assert false_flags <= 0.03  # measured 0.9 %


def test_sentiment_raises_the_held_out_urgent_and_angry_texts(triage_model):
    report = evaluation.evaluate_sentiment(engine.current())
    assert report.raised["urgent"] + report.raised["angry"] >= 15  # of 16
    assert report.raised["neutral"] + report.raised["positive"] <= 2  # of 16
