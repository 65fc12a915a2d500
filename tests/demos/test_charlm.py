"""demos.charlm: proper distributions, scale against loss, deterministic sampling."""

import numpy as np
import pytest

from demos import charlm


@pytest.fixture(scope="module")
def corpus():
    train, val = charlm.load_corpus()
    vocab = sorted(set(train + val + "\n"))
    return train, val, vocab


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_ngram_probabilities_sum_to_one(corpus, order):
    train, _, vocab = corpus
    model = charlm.NGram(order, vocab, 0.01).fit(train)
    for context in ["", "朝の", "言葉を", "ぬぬぬ"]:
        p = model.probs(context)
        assert p.shape == (len(vocab),)
        assert p.sum() == pytest.approx(1.0)
        assert (p > 0).all()


def test_ngram_loss_equals_mean_log_of_its_probabilities(corpus):
    """Two independent paths to the same number: the loss loop and probs()."""
    train, val, vocab = corpus
    model = charlm.NGram(3, vocab, 0.05).fit(train)
    text = val[:40]
    index = {c: i for i, c in enumerate(vocab)}
    nll = [-np.log(model.probs("\n\n" + text[:i])[index[ch]]) for i, ch in enumerate(text)]
    assert model.loss(text) == pytest.approx(np.mean(nll))


def test_neural_probabilities_sum_to_one(corpus):
    train, _, vocab = corpus
    cfg = charlm.CharLMConfig(steps=5)
    model = charlm.NeuralLM(cfg, vocab, np.random.default_rng(0)).fit(
        train, np.random.default_rng(1)
    )
    assert model.probs("朝の").sum() == pytest.approx(1.0)
    assert model.n_params == len(vocab) * 16 + 3 * 16 * 64 + 64 + 64 * len(vocab) + len(vocab)


def test_training_loss_falls_as_order_rises_and_validation_shows_overfitting():
    rows = [r for r in charlm.run(neural=False)["models"]]
    train = [r["train_loss"] for r in rows]
    val = [r["val_loss"] for r in rows]
    params = [r["params"] for r in rows]
    assert train == sorted(train, reverse=True), train
    assert params == sorted(params), params
    assert val[-1] > min(val), "the largest table should generalise worse than the best one"


def test_sampling_is_deterministic_given_the_seed():
    a = charlm.run(neural=False, seed=4)["sample"]
    assert a == charlm.run(neural=False, seed=4)["sample"]
    assert a != charlm.run(neural=False, seed=5)["sample"]
    assert a.startswith("朝の") and len(a) == 2 + 60


@pytest.mark.parametrize(
    "controls, name",
    [
        ({"max_order": 0}, "max_order"),
        ({"sample_model": "ngram9"}, "sample_model"),
        ({"temperature": 0}, "temperature"),
    ],
)
def test_bad_arguments_name_themselves(controls, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        charlm.run(**controls)


def test_unseen_share_counts_the_contexts_training_never_had():
    # "ab" then "ac" in training: contexts "\n" (for a), "a" (for b); validation "ad" has
    # the seen context "\n" for a and the seen "a" for d; "xa" has "\n" then the unseen "x".
    model = charlm.NGram(2, list("\nabcdx"), 0.01).fit("ab")
    assert model.unseen_share("ad") == 0.0
    assert model.unseen_share("xa") == 0.5
    first = charlm.run(neural=False)["models"][0]
    assert first["model"] == "ngram1" and first["val_unseen"] == 0.0  # one context, always seen
