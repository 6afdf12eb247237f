"""The TypedDicts of a checked result document stay key for key with the pydantic schema."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from nnbench.schemas import result as schema
from nnbench.schemas import result_types as types
from nnbench.schemas.result import SCHEMA, validate
from nnbench.synthetic_results import SyntheticCell, synthetic_result

#: each pydantic model, its TypedDict, and the keys the TypedDict adds that the model keeps
#: unchecked (``extra="allow"``)
PAIRS = [
    (schema.SplitMetrics, types.SplitMetricsDoc, set()),
    (schema.Timing, types.TimingDoc, set()),
    (schema.MemoryCost, types.MemoryCostDoc, set()),
    (schema.InferenceCost, types.InferenceCostDoc, set()),
    (schema.SizeCost, types.SizeCostDoc, set()),
    (schema.Cost, types.CostDoc, set()),
    (schema.Epoch, types.EpochDoc, set()),
    (schema.Environment, types.EnvironmentDoc, set()),
    (schema.DataFacts, types.DataFactsDoc, {"name", "input_shape", "classes", "resized"}),
    (schema.ModelInfo, types.ModelInfoDoc, set()),
    (schema.PredictionsRecord, types.PredictionsDoc, set()),
    (schema.ResultDocument, types.ResultDoc, set()),
]


def keys(model: type[BaseModel]) -> tuple[set[str], set[str]]:
    """The model's required keys and its optional ones, as a document spells them."""
    required = {
        field.alias or name for name, field in model.model_fields.items() if field.is_required()
    }
    optional = {field.alias or name for name, field in model.model_fields.items()} - required
    return required, optional


@pytest.mark.parametrize(
    ("model", "typed", "extras"), PAIRS, ids=lambda item: getattr(item, "__name__", "")
)
def test_each_typed_dict_has_the_model_s_keys(model, typed, extras):
    required, optional = keys(model)
    assert set(typed.__required_keys__) == required
    assert set(typed.__optional_keys__) == optional | extras


def test_validate_returns_the_document_itself():
    document = synthetic_result(SyntheticCell())
    checked = validate(document, "a synthetic result")
    assert checked is document
    assert checked["schema"] == SCHEMA
    assert checked["metrics"]["test"]["n"] == document["data"]["n_test"]
