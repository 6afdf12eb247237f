"""``nnbench export``: run folders as an MLflow experiment (:mod:`nnbench.export.to_mlflow`,
which needs the ``mlflow`` extra) or as Parquet files (:mod:`nnbench.export.to_parquet`)."""
