"""Label millions of articles on Apache Spark (the ``spark`` extra: ``pip install "stance[spark]"``).

:func:`spark_label` turns a DataFrame of documents into a DataFrame of sentences, one row each with the
fields of ``stance label --format jsonl`` (:data:`SPARK_SCHEMA`), by ``mapInPandas``: each Python worker
loads the model once (the shipped default or a name it can load, or a model file whose bytes are
broadcast to the workers), never per row. A null, non-text or empty document gives one row that
says so; a missing column is refused before any work starts. ``stance spark-label`` is the same
job from the command line (:func:`spark_label_files`).

pyspark is imported only inside these functions: ``import stance.labelling`` stays light.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from stance.errors import InputError, ModelFileMissing, UnknownModelError, UsageError

__all__ = ["SPARK_SCHEMA", "spark_label", "spark_label_files", "spark_session", "SPARK_MISSING_EXTRA"]

# The fields of stance label --format jsonl; the probabilities as one column per label (flat
# numbers are what tables and Parquet readers want, and they cross Arrow much faster than a map).
SPARK_SCHEMA = ("doc_id string, index int, text string, start int, end int, label string, reason string, "
          "speaker string, explanation string, p_claim double, p_quote double, p_loaded double")
_COLUMNS = [c.split()[0] for c in SPARK_SCHEMA.split(", ")]
SPARK_MISSING_EXTRA = 'Spark labelling needs the optional extra: pip install "stance[spark]" (pyspark, and Java 17)'


def _pyspark() -> Any:
    try:
        import pyspark.sql  # noqa: F401
    except ImportError as exc:
        raise ImportError(SPARK_MISSING_EXTRA) from exc
    return sys.modules["pyspark.sql"]


def spark_session(master: str | None = None, app: str = "stance") -> Any:
    """A SparkSession (``master`` e.g. ``local[2]``; default: what spark-submit or the environment
    says, else ``local[*]``). Workers run this Python unless ``PYSPARK_PYTHON`` says otherwise."""
    sql = _pyspark()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = sql.SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    elif not os.environ.get("SPARK_HOME") and "spark.master" not in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        builder = builder.master("local[*]")
    return builder.getOrCreate()


def _model_spec(model: Any, spark: Any, trusted: bool = False) -> Any:
    """What the workers load: ``None`` / a name (each worker loads it), or a broadcast of a file's bytes
    (read and checked here first, so that a file the workers would refuse is named before the job)."""
    if model is None:
        return None
    if not isinstance(model, (str, os.PathLike)):
        raise UsageError("stance.labelling.spark_label takes a model name or the path of a model file, not a loaded model")
    path = Path(model)
    if path.is_file():
        from stance.hub import load

        load(path, trusted=trusted)
        return spark.sparkContext.broadcast(path.read_bytes())
    if os.sep in str(model) or path.suffix:
        raise ModelFileMissing(f"{model}: no such model file")
    from stance.hub import loadable_names

    if str(model) not in loadable_names():  # what every worker's stance.load will take
        raise UnknownModelError(str(model), loadable_names(), "names stance.load takes (or the path of a model file)")
    return str(model)


def spark_label(df: Any, text_col: str = "text", id_col: str | None = "id", model: Any = None, explain: bool = False,
          k: int = 3, *, trusted: bool = False) -> Any:
    """One row per sentence of each document of ``df`` (:data:`SPARK_SCHEMA`), labelled on the workers.

    ``id_col=None`` numbers the documents (a unique, not consecutive, id per row). ``model``: ``None``
    (the shipped default), a name, or the path of a model file (broadcast to the workers);
    ``trusted`` as for :func:`stance.load`.
    """
    _pyspark()
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    fields = {f.name: f.dataType for f in df.schema.fields}
    if text_col not in fields:
        raise InputError(f"no column {text_col!r} in the DataFrame (columns: {', '.join(fields) or 'none'})")
    if not isinstance(fields[text_col], StringType):
        raise InputError(f"column {text_col!r} holds {fields[text_col].simpleString()}, not text (string)")
    if id_col is not None and id_col not in fields:
        raise InputError(f"no column {id_col!r} in the DataFrame (columns: {', '.join(fields)}); "
                         "pass id_col=None to number the documents")
    spec = _model_spec(model, df.sparkSession, trusted)
    ids = F.col(id_col).cast("string") if id_col is not None else F.monotonically_increasing_id().cast("string")
    docs = df.select(ids.alias("doc_id"), F.col(text_col).alias("text"))
    labels_fn = _labeller(spec, explain, k, trusted)
    return docs.mapInPandas(labels_fn, schema=SPARK_SCHEMA)


def _labeller(spec: Any, explain: bool, k: int, trusted: bool = False):
    """The function each worker runs over its pandas batches (spec resolved on the worker)."""

    def run(batches):
        import pandas as pd

        from ._batch import columns, model_for, sentence_rows

        # a broadcast of a file's bytes, or a name
        model = model_for(spec.value if hasattr(spec, "value") else spec, trusted=trusted)
        for batch in batches:
            rows = sentence_rows(batch["text"].tolist(), batch["doc_id"].tolist(), model, explain=explain, k=k)
            yield pd.DataFrame(columns(rows), columns=_COLUMNS)

    return run


def spark_label_files(input: str, output: str, *, master: str | None = None, partitions: int | None = None,
                model: str | None = None, text_col: str = "text", id_col: str | None = "id", explain: bool = False,
                force: bool = False, trusted: bool = False) -> dict[str, Any]:
    """``stance spark-label``: documents from JSONL or Parquet at ``input`` (a file, a directory or a
    glob), sentence rows as Parquet at ``output``. Refuses an existing output without ``force``.
    Returns the counts of documents and sentences written."""
    src, out = Path(input), Path(output)
    if not any(c in input for c in "*?[") and not src.exists():
        raise FileNotFoundError(f"{input}: no such file or directory")
    if out.exists() and not force:
        raise UsageError(f"{output} already exists; pass --force to overwrite it")
    if partitions is not None and partitions < 1:
        raise UsageError(f"--partitions must be 1 or more, got {partitions}")
    parquet = src.suffix == ".parquet" or (src.is_dir() and any(src.glob("*.parquet")))
    spark = spark_session(master)
    if parquet:
        df = spark.read.parquet(input)
    else:
        # The two columns we read, as text: no pass over the data to infer a schema. A column
        # missing from the first record of a local file is named before the job starts.
        first = next(iter(sorted(src.glob("*.json*")) if src.is_dir() else [src]), None)
        if first is not None and first.is_file():
            import json

            with first.open(encoding="utf-8") as fh:
                line = next((ln for ln in fh if ln.strip()), "{}")
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{first}:1: not valid JSON ({exc.msg})") from None
            for col in (text_col, id_col):
                if col is not None and col not in record:
                    raise InputError(f"{first}:1: no field {col!r} (fields: {', '.join(record) or 'none'})")
        cols = [c for c in (id_col, text_col) if c is not None]
        df = spark.read.schema(", ".join(f"`{c}` string" for c in cols)).json(input)
    df = df.repartition(partitions or spark.sparkContext.defaultParallelism)
    rows = spark_label(df, text_col, id_col, model, explain, trusted=trusted)
    rows.write.mode("overwrite" if force else "errorifexists").parquet(output)
    written = spark.read.parquet(output)
    n_rows = written.count()  # from the Parquet footers: no second pass over the data
    n_docs = written.filter("index = 0").count()  # one row per document has index 0
    return {"documents": n_docs, "sentences": n_rows, "output": output}
