"""stance on Spark: the rows a local[2] cluster writes are the single-process rows; bad input is
refused before any work. Skipped with the reason where pyspark or Java is missing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason='the spark extra is not installed: pip install "stance[spark]"')
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java on PATH (Spark needs Java 17: apt-get install openjdk-17-jre-headless)",
                allow_module_level=True)

import stance.labelling
from stance.labelling import columns, sentence_rows  # noqa: E402
from stance.errors import InputError, StanceError, UnknownModelError  # noqa: E402

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="session")
def spark():
    s = stance.labelling.spark_session("local[2]", app="stance-tests")
    s.sparkContext.setLogLevel("ERROR")
    yield s
    s.stop()


@pytest.fixture
def documents(sources):
    root = Path(__file__).resolve().parents[1]
    paths = list(sources) + [root / "examples" / "article.txt"] + sorted((root / "examples" / "articles").glob("*.txt"))
    return [(p.stem, p.read_text(encoding="utf-8")) for p in paths]


def _key(r):
    return (r["doc_id"], r["index"])


def _flat(rows):
    """Single-process rows as the Spark schema has them: probabilities as p_claim, p_quote, p_loaded."""
    cols = columns(rows)
    return [dict(zip(cols, values)) for values in zip(*cols.values())]


def test_spark_rows_equal_the_single_process_rows(spark, documents):
    df = spark.createDataFrame(documents + [("null", None), ("empty", "")], "id string, text string").repartition(3)
    got = sorted((r.asDict() for r in stance.labelling.spark_label(df).collect()), key=_key)
    ids, texts = zip(*(documents + [("null", None), ("empty", "")]))
    want = sorted(_flat(sentence_rows(texts, ids)), key=_key)
    assert got == want
    assert {r["reason"] for r in got if r["doc_id"] in ("null", "empty")} == {"no text (null)", "empty text"}


def test_a_model_file_is_broadcast_to_the_workers(spark, trained_tfidf):
    import stance

    path = trained_tfidf.path  # read, never changed
    df = spark.createDataFrame([("a", "Cuba sent 27 doctors to Peru. The regime exploits them.")], "id string, text string")
    got = sorted((r.asDict() for r in stance.labelling.spark_label(df, model=str(path)).collect()), key=_key)
    assert got == _flat(sentence_rows(["Cuba sent 27 doctors to Peru. The regime exploits them."], ["a"],
                                      stance.load(path)))


def test_a_model_file_that_needs_unpickling_goes_to_the_workers_only_when_trusted(spark, trained_nb):
    import stance
    from stance.errors import UntrustedModelError

    path = trained_nb.path  # read, never changed
    text = "Cuba sent 27 doctors to Peru. The regime exploits them."
    df = spark.createDataFrame([("a", text)], "id string, text string")
    with pytest.raises(UntrustedModelError, match="--trust"):  # named on the driver, before the job
        stance.labelling.spark_label(df, model=str(path))
    got = sorted((r.asDict() for r in stance.labelling.spark_label(df, model=str(path), trusted=True).collect()), key=_key)
    assert got == _flat(sentence_rows([text], ["a"], stance.load(path, trusted=True)))


def test_bad_input_is_refused_before_any_work(spark, tmp_path):
    df = spark.createDataFrame([(1, 2)], "id int, body int")
    with pytest.raises(InputError, match=r"no column 'text' in the DataFrame \(columns: id, body\)"):
        stance.labelling.spark_label(df)
    with pytest.raises(InputError, match="column 'body' holds int, not text"):
        stance.labelling.spark_label(df, text_col="body")
    ok = spark.createDataFrame([("a", "x")], "name string, text string")
    with pytest.raises(InputError, match="no column 'id'.*id_col=None"):
        stance.labelling.spark_label(ok)
    with pytest.raises(UnknownModelError):
        stance.labelling.spark_label(ok, id_col=None, model="hybird")
    with pytest.raises(UnknownModelError):  # a ladder name stance.load cannot take would fail on the workers
        stance.labelling.spark_label(ok, id_col=None, model="nb")
    with pytest.raises(FileNotFoundError):
        stance.labelling.spark_label(ok, id_col=None, model=str(tmp_path / "absent.stance"))
    assert stance.labelling.spark_label(ok, id_col=None).count() == 1  # numbered documents


def test_spark_label_command_writes_parquet_and_refuses_to_overwrite(tmp_path, documents):
    inp = tmp_path / "docs.jsonl"
    inp.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in documents[:3]), encoding="utf-8")
    out = tmp_path / "rows"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    cmd = [sys.executable, "-m", "stance", "spark-label", str(inp), str(out), "--master", "local[2]", "--partitions", "2"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.startswith("labelled 3 documents:")
    import pandas as pd

    rows = pd.read_parquet(out).sort_values(["doc_id", "index"]).to_dict("records")
    ids, texts = zip(*documents[:3])
    want = sorted(sentence_rows(texts, ids), key=_key)
    assert [(r["doc_id"], r["index"], r["label"], r["start"], r["end"]) for r in rows] == [
        (w["doc_id"], w["index"], w["label"], w["start"], w["end"]) for w in want]
    before = sorted(p.name for p in out.iterdir())
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 2 and r.stderr.strip() == f"stance: error: {out} already exists; pass --force to overwrite it"
    assert sorted(p.name for p in out.iterdir()) == before
    r = subprocess.run([sys.executable, "-m", "stance", "spark-label", str(tmp_path / "absent.jsonl"), str(tmp_path / "o")],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 2 and "absent.jsonl: no such file or directory" in r.stderr and "Traceback" not in r.stderr
    assert issubclass(InputError, StanceError)
