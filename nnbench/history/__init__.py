"""``nnbench history``: the metric and fit time of every (dataset, model, protocol) through the
commits its results were made at, and the steps in them. :mod:`~nnbench.history.collect` finds
the run folders and orders the commits, :mod:`~nnbench.history.points` lays out the numbers
and runs the paired tests, :mod:`~nnbench.history.detect` finds the steps
(:mod:`nnbench.stats.steps`), :mod:`~nnbench.history.render` and
:mod:`~nnbench.history.plots` show them."""
