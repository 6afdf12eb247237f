"""Reports from stored result files: the lecture's tables in Markdown, LaTeX, HTML and CSV, and
plots. ``tables`` (text only) is light to import; ``document``, ``plots`` and ``output`` need
matplotlib."""
