"""TableTheory's cross-language contract scenarios (P0), on the emulator and on DynamoDB Local."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.contract.driver import (
    ScenarioFailure,
    load_dms_models,
    load_scenario,
    run_scenario,
    scenario_paths,
)
from tests.contract.models import MODELS

P0 = scenario_paths("p0")


def test_all_five_p0_scenarios_are_there() -> None:
    assert [p.stem for p in P0] == [
        "01-crud-basic",
        "02-omitempty",
        "03-lifecycle-created-updated",
        "04-version-optimistic-lock",
        "05-ttl-epoch-seconds",
    ]


@pytest.mark.parametrize("path", P0, ids=[p.stem for p in P0])
def test_p0_scenario(path: Path, backend_client: Any) -> None:
    scenario = load_scenario(path)
    run_scenario(scenario, backend_client, MODELS[scenario["model"]], load_dms_models()[scenario["model"]])


@pytest.mark.parametrize("path", P0, ids=[p.stem for p in P0])
def test_p0_scenario_through_every_door_of_the_emulator(path: Path, emulator_door: Any) -> None:
    scenario = load_scenario(path)
    run_scenario(scenario, emulator_door, MODELS[scenario["model"]], load_dms_models()[scenario["model"]])


def test_the_runner_fails_a_scenario_that_does_not_hold(emulator_client: Any) -> None:
    scenario = load_scenario(P0[3])  # version-optimistic-lock
    scenario["steps"][2]["expect"] = {"ok": True}  # a stale version must fail, so claiming success fails
    with pytest.raises(ScenarioFailure, match="expected success, got ErrConditionFailed"):
        run_scenario(scenario, emulator_client, MODELS["User"], load_dms_models()["User"])
    scenario = load_scenario(P0[4])
    scenario["steps"][1]["expect"]["raw_attribute_types"] = {"ttl": "S"}
    with pytest.raises(ScenarioFailure, match="ttl should be stored as S"):
        run_scenario(scenario, emulator_client, MODELS["User"], load_dms_models()["User"])
