"""Solvers for the L1-penalised multinomial logit, and the objective they all minimise.

See :mod:`nnbench.models.l1_logit.objective` for the objective's exact definition and
:mod:`nnbench.models.l1_logit.solvers` for what each solver's ``tol`` and ``max_iter`` mean.
"""
