"""The engines and their file driver: `local.py` matches and clusters a corpus in this process,
over batches, with the functions of `neardup.core`; `files.py` finds and deduplicates over files
for any engine (`local_files.py` is the local engine's side of it, `neardup.spark.files`
Spark's)."""

#: The engines the file driver (and `--engine`) can run, by name.
ENGINES = ("local", "spark")
