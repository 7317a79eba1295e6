"""The rule files ship in the wheel and load from a wheel install."""

import subprocess
import sys
import zipfile

import pytest

from helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(out)],
        check=True, capture_output=True,
    )
    return next(out.glob("motorsport_nlp-*.whl"))


def test_wheel_contains_the_rule_files(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("given_names.txt", "teams.jsonl", "speech_verbs.tsv", "car_models.jsonl"):
        assert f"pipeline/models/rules/de/{required}" in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "spacy_factories" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_rules_load_from_a_wheel_install(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    script = (
        "import pipeline, pipeline.rules as r; "
        "lex = r.load_lexicons(); "
        "print(pipeline.__file__); print(r.rules_root('de')); print(len(lex.given_names))"
    )
    # The wheel's copy must win over the source tree: run outside the repo, wheel first on the path.
    result = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {script}"],
                            cwd=tmp_path, capture_output=True, text=True, check=True)
    module_file, rules_root, count = result.stdout.split()
    assert module_file.startswith(str(target))
    assert rules_root.startswith(str(target))
    assert int(count) > 500


def test_a_saved_pipeline_loads_with_spacy_load_from_a_wheel_install(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    saved = tmp_path / "saved"
    wheel_first = f"import sys; sys.path.insert(0, {str(target)!r}); "
    subprocess.run([sys.executable, "-c", wheel_first + f"from pipeline.api import load_pipeline; "
                                                        f"load_pipeline().to_disk({str(saved)!r})"],
                   cwd=tmp_path, capture_output=True, text=True, check=True)
    # A fresh process that never imports pipeline: the entry points name the tokenizer and the components.
    script = (wheel_first + "import spacy; nlp = spacy.load(sys.argv[1]); "
              "doc = nlp('Lena Hofbauer (Rosenheim) gewann. ' + '(' * 20000); "
              "print(type(nlp.tokenizer).__name__, sys.modules['pipeline'].__file__, len(doc.text), doc._.drivers[0]['driver'])")
    result = subprocess.run([sys.executable, "-c", script, str(saved)], cwd=tmp_path, capture_output=True, text=True,
                            check=True, timeout=300)
    tokenizer, module_file, chars, driver = result.stdout.split(maxsplit=3)
    assert tokenizer == "SafeTokenizer" and module_file.startswith(str(target))
    assert int(chars) == len("Lena Hofbauer (Rosenheim) gewann. ") + 20000
    assert driver.strip() == "Lena Hofbauer"
