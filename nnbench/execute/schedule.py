"""Longest first: a cell's cost estimate, so that parallel executors start the slow cells
first and one slow CNN cell does not start last."""

from __future__ import annotations

from collections.abc import Sequence

from nnbench.models import model_entry, resolve_model
from nnbench.plan import Cell, cell_params
from nnbench.references import is_reference

#: the cost of a model whose cost is not registered (a reference or plugin): a mid-size one
UNKNOWN_COST_S = 10.0
#: the training images the registered costs were measured on (MNIST's)
COST_IMAGES = 60_000
#: parameters the work grows in proportion to
WORK_PARAMETERS = ("epochs", "max_iter")
#: parameters that change the algorithm: when a cell sets one away from its default, the work
#: parameters no longer compare (2,000 FISTA iterations are not 67 times 30 saga passes)
ALGORITHM_PARAMETERS = ("solver",)


def estimated_cost(cell: Cell) -> float:
    """Roughly the seconds ``cell`` takes: its model's registered cost (with its defaults, on
    MNIST), scaled by its epochs or iterations against the defaults' (when it uses the default
    algorithm), and by ``--subset``."""
    if cell.skip:
        return 0.0
    entry_cost = None if is_reference(cell.model) else model_entry(cell.model).cost
    cost = UNKNOWN_COST_S if entry_cost is None else entry_cost
    defaults, params = resolve_model(cell.model).defaults(), cell_params(cell)
    same_algorithm = all(
        params.get(name, defaults.get(name)) == defaults.get(name) for name in ALGORITHM_PARAMETERS
    )
    for name in WORK_PARAMETERS if same_algorithm else ():
        default, value = defaults.get(name), params.get(name, defaults.get(name))
        if isinstance(default, int | float) and isinstance(value, int | float) and default > 0:
            cost *= value / default
    if cell.subset is not None:
        cost *= min(1.0, cell.subset / COST_IMAGES)
    return cost


def longest_first(cells: Sequence[Cell]) -> list[tuple[int, float]]:
    """Each cell's index with its estimated cost, longest first (plan order among equals)."""
    costs = [estimated_cost(cell) for cell in cells]
    return sorted(enumerate(costs), key=lambda pair: -pair[1])
