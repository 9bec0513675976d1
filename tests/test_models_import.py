"""Importing Hugging Face checkpoints (OPUS-MT/Marian, M2M-100, NLLB-200) as packages: conformance and errors.

The checkpoints are tiny random-weight models written by ``devtools.checkpoints`` (seeded, built
once per session). Conformance: the imported package, run by our Translator (CTranslate2, greedy,
float32), produces exactly the tokens transformers' greedy ``generate()`` produces, with the same
penalties (none) and the same length limit; our source tokens equal the model tokenizer's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("transformers")

from align.cli import main  # noqa: E402
from align.mt.packages import find_package, install_from_path, list_packages  # noqa: E402
from align.mt.translate import TranslateOptions, Translator  # noqa: E402
from align.settings import load_settings  # noqa: E402
from devtools.checkpoints import build_bert, build_m2m100, build_marian, build_nllb, fixture_sides  # noqa: E402

NO_ARGOS = {"ARGOS_PACKAGES_DIR": "/nonexistent-argos"}
GREEDY = TranslateOptions(
    beam_size=1, threads=1, compute_type="float32", repetition_penalty=1.0, no_repeat_ngram_size=0, replace_unknowns=False
)


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("checkpoints")
    return {
        "marian": build_marian(root / "tiny-opus-mt-de-en"),
        "m2m100": build_m2m100(root / "tiny-m2m100"),
        "nllb": build_nllb(root / "tiny-nllb"),
    }


def sentences() -> list[str]:
    de, _ = fixture_sides()
    return de[:10] + ["Das ist ein völlig unbekanntes Wort: Quxzyl.", "Kurz."]


def run(*argv: str) -> int:
    return main([str(a) for a in argv])


def leftovers(home: Path) -> list[str]:
    folder = home / "packages"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.fixture(scope="session")
def imported_home(tmp_path_factory: pytest.TempPathFactory, checkpoints: dict[str, Path]) -> Path:
    home = tmp_path_factory.mktemp("import-home")
    for folder in checkpoints.values():
        assert run("--home", home, "models", "import", folder, "--src", "de", "--tgt", "en") == 0
    return home


# the source language as each multilingual tokenizer's ``src_lang`` wants it
SRC_LANG = {"m2m100": "de", "nllb": "deu_Latn"}
PACKAGE = {"marian": "tiny-opus-mt-de-en-de_en", "m2m100": "tiny-m2m100-de_en", "nllb": "tiny-nllb-de_en"}


def hf_greedy(folder: Path, translator: Translator, text: str, family: str) -> list[str]:
    """transformers' greedy output tokens for ``text`` under the translator's length limit (for
    multilingual models with ``forced_bos_token_id`` = the target language token, e.g. eng_Latn)."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(folder)).eval()
    kwargs = {}
    if family in SRC_LANG:
        tokenizer.src_lang = SRC_LANG[family]
        kwargs["forced_bos_token_id"] = tokenizer.convert_tokens_to_ids(translator.package.target_prefix)
    ids = tokenizer(text, return_tensors="pt")
    assert tokenizer.convert_ids_to_tokens(ids["input_ids"][0]) == translator.tokenize(text)  # same source tokens
    max_len = translator.decode_options(len(translator.tokenize(text)))["max_decoding_length"]
    with torch.no_grad():
        out = model.generate(
            **ids,
            num_beams=1,
            do_sample=False,
            max_new_tokens=max_len,
            min_new_tokens=0,
            repetition_penalty=1.0,
            no_repeat_ngram_size=0,
            forced_eos_token_id=None,  # CTranslate2 does not force </s> at the length limit
            **kwargs,
        )
    tokens = tokenizer.convert_ids_to_tokens(out[0])[1:]  # drop the decoder start token
    if kwargs:
        tokens = tokens[1:]  # the forced target language token (our target_prefix)
    return [t for t in tokens if t not in (tokenizer.eos_token, tokenizer.pad_token)]


@pytest.mark.parametrize("family", ["marian", "m2m100", "nllb"])
def test_imported_model_translates_like_transformers(family, checkpoints, imported_home):
    settings = load_settings(home=imported_home)
    package = find_package("de", "en", settings, env=NO_ARGOS, model=PACKAGE[family])
    translator = Translator.load(package, GREEDY)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(checkpoints[family]))
    for text in sentences():
        ours = translator.decode_tokens([translator.tokenize(text)])[0]
        assert ours == hf_greedy(checkpoints[family], translator, text, family), text
        # the text, too, is transformers' (special tokens skipped: a random model emits language tokens)
        expected = tokenizer.decode(tokenizer.convert_tokens_to_ids(ours), skip_special_tokens=True)
        assert translator.detokenize(ours) == expected.strip(), text
    assert len(translator.translate(sentences())) == len(sentences())


def test_metadata_and_layout(imported_home, checkpoints):
    marian = json.loads((imported_home / "packages" / "tiny-opus-mt-de-en-de_en" / "metadata.json").read_text())
    assert marian["source_sentencepiece"] == "source.spm" and marian["target_sentencepiece"] == "target.spm"
    assert marian["license"] == "cc-by-4.0" and marian["source_suffix"] == "</s>" and marian["converter"] == "ctranslate2"
    m2m = json.loads((imported_home / "packages" / "tiny-m2m100-de_en" / "metadata.json").read_text())
    assert (m2m["source_prefix"], m2m["target_prefix"], m2m["license"]) == ("__de__", "__en__", "mit")
    nllb = json.loads((imported_home / "packages" / "tiny-nllb-de_en" / "metadata.json").read_text())
    assert (nllb["family"], nllb["source_prefix"], nllb["source_suffix"], nllb["target_prefix"]) == (
        "nllb",
        "deu_Latn",
        "</s>",
        "eng_Latn",
    )
    assert nllb["source_sentencepiece"] == nllb["target_sentencepiece"] == "sentencepiece.model"
    assert nllb["license"] == "cc-by-nc-4.0"
    assert {p.name for p in list_packages(load_settings(home=imported_home), env=NO_ARGOS)} == set(PACKAGE.values())


def test_nllb_legacy_token_order_is_not_copied(tmp_path, checkpoints, imported_home):
    """A tokenizer_config.json with legacy_behaviour (language token after </s>) imports with the
    order NLLB was trained on, [deu_Latn] X </s>, and translates as the current tokenizer does."""
    import shutil

    legacy = tmp_path / "tiny-nllb-legacy"
    shutil.copytree(checkpoints["nllb"], legacy)
    config = json.loads((legacy / "tokenizer_config.json").read_text())
    (legacy / "tokenizer_config.json").write_text(json.dumps({**config, "legacy_behaviour": True}))
    home = tmp_path / "home"
    assert run("--home", home, "models", "import", legacy, "--src", "deu_Latn", "--tgt", "eng_Latn") == 0
    settings = load_settings(home=home)
    package = find_package("de", "en", settings, env=NO_ARGOS, model="tiny-nllb-legacy-de_en")
    translator = Translator.load(package, GREEDY)
    reference = Translator.load(
        find_package("de", "en", load_settings(home=imported_home), env=NO_ARGOS, model=PACKAGE["nllb"]), GREEDY
    )
    text = sentences()[0]
    assert translator.tokenize(text)[0] == "deu_Latn" and translator.tokenize(text)[-1] == "</s>"
    assert translator.decode_tokens([translator.tokenize(text)]) == reference.decode_tokens([reference.tokenize(text)])


def test_int8_import_translates_and_installs_from_folder(tmp_path, checkpoints, fixture_package_file, capsys):
    home = tmp_path / "home"
    assert (
        run("--home", home, "models", "import", checkpoints["marian"], "--src", "de", "--tgt", "en", "--quantization", "int8")
        == 0
    )
    settings = load_settings(home=home)
    argos = install_from_path(fixture_package_file, settings)  # an Argos package beside it: both stay
    names = [p.name for p in list_packages(settings, env=NO_ARGOS)]
    assert sorted(names) == sorted(["tiny-opus-mt-de-en-de_en-int8", argos.name])
    assert find_package("de", "en", settings, env=NO_ARGOS).name == argos.name  # a fixed choice
    imported = find_package("de", "en", settings, env=NO_ARGOS, model="tiny-opus-mt-de-en-de_en-int8")
    translator = Translator.load(imported, TranslateOptions(threads=1))
    assert len(translator.translate(sentences())) == len(sentences())
    assert translator.describe()["package"] == "tiny-opus-mt-de-en-de_en-int8"
    # the package folder carries to another machine: models install --from FOLDER
    other = tmp_path / "other"
    assert run("--home", other, "models", "install", "--from", imported.path) == 0
    assert [p.name for p in list_packages(load_settings(home=other), env=NO_ARGOS)] == ["tiny-opus-mt-de-en-de_en-int8"]


def check_error(capsys, home: Path, argv: list, *needles: str) -> None:
    assert run("--home", home, *argv) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("error: "), err
    for needle in needles:
        assert needle in err, err
    assert leftovers(home) == [], "nothing may be left behind"


def test_unsupported_architecture(tmp_path, capsys):
    bert = build_bert(tmp_path / "bert")
    check_error(
        capsys, tmp_path / "h", ["models", "import", bert, "--src", "de", "--tgt", "en"], "BertModel", "cannot be imported"
    )


def test_missing_tokenizer_file(tmp_path, checkpoints, capsys):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(checkpoints["marian"], broken)
    (broken / "target.spm").unlink()
    check_error(capsys, tmp_path / "h", ["models", "import", broken, "--src", "de", "--tgt", "en"], "target.spm", str(broken))


@pytest.mark.parametrize(
    ("family", "src", "tgt", "bad", "known"),
    [
        ("m2m100", "xx", "en", "'xx'", "__de__"),
        ("nllb", "xx", "en", "'xx'", "deu_Latn"),
        ("nllb", "de", "eng_Cyrl", "'eng_Cyrl'", "eng_Latn"),  # a well-formed code the model lacks
    ],
)
def test_unknown_language_code(tmp_path, checkpoints, capsys, family, src, tgt, bad, known):
    argv = ["models", "import", checkpoints[family], "--src", src, "--tgt", tgt]
    check_error(capsys, tmp_path / "h", argv, bad, known)


def test_no_hub_access(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    argv = ["models", "import", "Helsinki-NLP/opus-mt-de-en", "--src", "de", "--tgt", "en"]
    check_error(capsys, tmp_path / "h", argv, "Helsinki-NLP/opus-mt-de-en", "models import FOLDER")


def hf_target_log_probs(folder: Path, source: str, target: str, family: str) -> list[float]:
    """transformers' log probability of each token of ``target`` (and </s>) given ``source``,
    teacher-forced: every decoder position, not only the greedy path, must match."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModelForSeq2SeqLM.from_pretrained(str(folder)).eval()
    if family in SRC_LANG:
        tokenizer.src_lang = SRC_LANG[family]
        tokenizer.tgt_lang = {"m2m100": "en", "nllb": "eng_Latn"}[family]
    batch = tokenizer(source, text_target=target, return_tensors="pt")
    with torch.no_grad():
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=batch["labels"]).logits
    log_probs = torch.log_softmax(logits.float(), dim=-1)[0].gather(1, batch["labels"][0][:, None])[:, 0]
    skip = 1 if family in SRC_LANG else 0  # the forced target language token is ours as a prefix, not scored
    return [float(v) for v in log_probs[skip:]]


@pytest.mark.parametrize("family", ["marian", "m2m100", "nllb"])
def test_imported_model_scores_every_token_like_transformers(family, checkpoints, imported_home):
    """Random tiny models repeat a token when decoding greedily, so the greedy test alone sees few
    decoder states: here every token of real English targets is scored, teacher-forced, by our
    package (CTranslate2 score_batch, as the quality estimate does) and by transformers."""
    import numpy as np

    from align.quality.modelscore import score_translations

    settings = load_settings(home=imported_home)
    translator = Translator.load(find_package("de", "en", settings, env=NO_ARGOS, model=PACKAGE[family]), GREEDY)
    de, en = fixture_sides()
    ours = score_translations(translator, de[:8], en[:8])
    for source, target, scores in zip(de[:8], en[:8], ours, strict=True):
        theirs = hf_target_log_probs(checkpoints[family], source, target, family)
        assert len(scores.log_probs) == len(theirs), (source, scores.tokens)
        assert np.allclose(scores.log_probs, theirs, rtol=1e-3, atol=1e-3), (source, scores.log_probs[:5], theirs[:5])
        assert np.ptp(theirs) > 1.0  # varied decoder states, not one repeated distribution


# ---- the checkpoint's own languages, its tokenizer's language tokens, special tokens in the output ------
def _edit_json(path: Path, change) -> None:
    value = json.loads(path.read_text(encoding="utf-8"))
    change(value)
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")


def test_marian_languages_must_match_the_checkpoint(tmp_path, checkpoints, capsys):
    """An OPUS-MT model translates one pair: --src xx used to install a de->en model as marian-xx_en."""
    argv = ["models", "import", checkpoints["marian"], "--src", "xx", "--tgt", "en"]
    check_error(capsys, tmp_path / "h1", argv, "de->en", "tokenizer_config.json", "--src de --tgt en")
    # without source_lang/target_lang in tokenizer_config.json, the model's name says the pair
    import shutil

    unnamed = tmp_path / "tiny-opus-mt-de-en"
    shutil.copytree(checkpoints["marian"], unnamed)
    _edit_json(unnamed / "tokenizer_config.json", lambda c: [c.pop(k, None) for k in ("source_lang", "target_lang")])
    argv = ["models", "import", unnamed, "--src", "en", "--tgt", "de"]
    check_error(capsys, tmp_path / "h2", argv, "de->en", "opus-mt-de-en")


def test_unsafe_language_code_is_refused(tmp_path, checkpoints, capsys):
    """--src/--tgt become part of the package's folder name."""
    import shutil

    anonymous = tmp_path / "model"  # no languages in its name or tokenizer_config.json
    shutil.copytree(checkpoints["marian"], anonymous)
    _edit_json(anonymous / "tokenizer_config.json", lambda c: [c.pop(k, None) for k in ("source_lang", "target_lang")])
    argv = ["models", "import", anonymous, "--src", "../../x", "--tgt", "en"]
    check_error(capsys, tmp_path / "h", argv, "--src", "'../../x'", "language code")


def test_m2m100_tokenizer_without_language_tokens_says_what_is_missing(tmp_path, checkpoints, capsys):
    """A tokenizer saved without its __xx__ tokens used to fail in CTranslate2's converter with
    'Source vocabulary 0 has size 309 but the model expected ... 409'."""
    import shutil

    broken = tmp_path / "m2m-no-language-tokens"
    shutil.copytree(checkpoints["m2m100"], broken)
    (broken / "added_tokens.json").unlink(missing_ok=True)

    def strip(config: dict) -> None:
        config["additional_special_tokens"] = []
        if "added_tokens_decoder" in config:
            config["added_tokens_decoder"] = {k: v for k, v in config["added_tokens_decoder"].items() if int(k) < 4}

    _edit_json(broken / "tokenizer_config.json", strip)
    _edit_json(broken / "special_tokens_map.json", lambda m: m.pop("additional_special_tokens", None))
    argv = ["models", "import", broken, "--src", "de", "--tgt", "en"]
    check_error(capsys, tmp_path / "h", argv, str(broken), "__de__", "additional_special_tokens")


@pytest.mark.parametrize("family", ["marian", "m2m100", "nllb"])
def test_output_text_has_no_special_tokens(family, imported_home):
    """transformers' decode(skip_special_tokens=True) drops language tokens, </s> and <pad> wherever
    they are; a model that repeats its language token used to give '__en____en__ De the ...'."""
    settings = load_settings(home=imported_home)
    translator = Translator.load(find_package("de", "en", settings, env=NO_ARGOS, model=PACKAGE[family]), GREEDY)
    pieces = translator.tokenize_target("Good morning, how are you?")
    plain = translator.detokenize(pieces)
    assert plain.startswith("Good")
    other = {"marian": "</s>", "m2m100": "__fr__", "nllb": "fra_Latn"}[family]
    lang = translator.package.target_prefix or "</s>"
    noisy = [lang, lang, *pieces[:2], other, *pieces[2:], "</s>", "<pad>"]
    assert translator.detokenize(noisy) == plain
    assert "\u2047" in translator.detokenize([*pieces, "<unk>"])  # an unknown stays visible, as SentencePiece writes it
