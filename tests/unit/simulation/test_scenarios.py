"""Scenario loaders (CRAD CSV, JSON/JSONL, EmoDebt JSON, Hugging Face) and the built-in scenarios."""

from __future__ import annotations

import csv
import io
import json
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from eq_negotiator.scenario import Scenario
from eq_negotiator.simulation import (
    ScenarioLoadError,
    ScenarioSet,
    builtin_scenarios,
    load_scenarios,
    parse_rows,
)
from eq_negotiator.simulation.scenarios import (
    CASH_FLOWS,
    CRAD_COLUMNS,
    STAGES,
    authorised_limit,
    scenario_from_crad_row,
)
from tests.conftest import shared_data_dir

CRAD_FILE = "credit_recovery_scenarios_dev.csv"


@pytest.fixture(scope="session")
def crad_csv() -> Path:
    path = shared_data_dir() / "emomas-crad" / CRAD_FILE
    if not path.is_file():
        pytest.skip(f"CRAD dev rows not found at {path} (set EQN_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def emodebt_dir() -> Path:
    path = shared_data_dir() / "emodebt"
    if not (path / "debt_collection_scenarios.json").is_file():
        pytest.skip(f"EmoDebt scenario files not found at {path} (set EQN_SHARED_DATA)")
    return path


def crad_row(**changes: Any) -> dict[str, Any]:
    """A valid CRAD row (values as a CSV gives them), with changes."""
    row = {
        "Creditor Name": "Quillbrook Capital",
        "Debtor Name": "Pebblewick Bakery",
        "Credit Type": "Working Capital Loan",
        "Original Amount (USD)": "30000.5",
        "Outstanding Balance (USD)": "15700",
        "Creditor Target Days": "12",
        "Debtor Target Days": "100",
        "Days Overdue": "133",
        "Purchase Purpose": "Payroll funding",
        "Reason for Overdue": "Seasonal sales downturn",
        "Business Sector": "bakery",
        "Last Payment Date": "2025-03-29 07:48:10.602368",
        "Collateral": "None",
        "Recovery Stage": "Pre-Legal",
        "Cash Flow Situation": "Chronic Shortage",
        "Business Impact Description": "Payroll at risk.",
        "Proposed Solution": "Partial payment plan",
        "Recovery Probability (%)": "55.5",
        "Interest Accrued (USD)": "686.5",
    }
    row.update(changes)
    return row


def write_csv(
    path: Path, rows: Sequence[dict[str, Any] | list[str]], *, header: Sequence[str] = CRAD_COLUMNS, **kwargs: Any
) -> Path:
    """Write rows (dicts by column, or raw field lists) under ``header``; kwargs: newline ("\\r\\n"/"\\n"), bom."""
    newline, bom = kwargs.get("newline", "\r\n"), kwargs.get("bom", False)
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as handle:
        writer = csv.writer(handle, lineterminator=newline)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header] if isinstance(row, dict) else row)
    return path


# --------------------------------------------------------------------------------------------------------------------
# The Scenario model's new fields


def test_scenario_new_fields_are_optional_and_round_trip() -> None:
    plain = Scenario()
    assert (plain.id, plain.recovery_stage, plain.cash_flow, plain.credit_type, plain.metadata) == (
        None,
        None,
        None,
        None,
        {},
    )
    rich = Scenario(id="x-1", recovery_stage="Legal", cash_flow="Chronic Shortage", metadata={"a": 1, "b": "two"})
    again = Scenario(**rich.to_state())
    assert again == rich
    assert again.metadata == {"a": 1, "b": "two"} and isinstance(again.metadata["a"], int)


def test_scenarios_stay_hashable_with_metadata() -> None:
    a, b = Scenario(id="a", metadata={"x": 1}), Scenario(id="a", metadata={"x": 1})
    assert hash(a) == hash(b) and len({a, b, Scenario(id="b")}) == 2


def test_scenario_rejects_debtor_target_below_creditor_target() -> None:
    with pytest.raises(ValidationError, match=r"debtor_target_days \(20\) is below creditor_target_days \(30\)"):
        Scenario(creditor_target_days=30, debtor_target_days=20)
    assert Scenario(creditor_target_days=30, debtor_target_days=30).debtor_target_days == 30


# --------------------------------------------------------------------------------------------------------------------
# CRAD development rows


def test_crad_dev_file_loads_80_scenarios(crad_csv: Path) -> None:
    loaded = load_scenarios(f"csv:{crad_csv}")
    assert isinstance(loaded, ScenarioSet)
    assert len(loaded.scenarios) == 80 and loaded.errors == []
    assert [s.id for s in loaded.scenarios] == [f"debt_{i:03d}" for i in range(1, 81)]
    assert all(s.currency == "USD" and s.creditor_kind == "commercial lender" for s in loaded)
    # The assumption: legal action exactly where the stage is Legal (15 of the 80 dev rows).
    assert all(s.legal_action_in_progress == (s.recovery_stage == "Legal") for s in loaded)
    assert sum(s.legal_action_in_progress for s in loaded) == 15


def test_crad_row_0_maps_as_read_by_hand(crad_csv: Path) -> None:
    first = load_scenarios(f"csv:{crad_csv}", rows=(0, 0)).scenarios[0]
    assert first.id == "debt_001"
    assert first.creditor == "Hughes, Ortiz and Hudson" and first.debtor == "Lopez, Jimenez and Mcmillan"
    assert first.balance == 15700.0
    assert (first.creditor_target_days, first.debtor_target_days, first.days_overdue) == (12, 159, 133)
    assert first.authorised_limit_days == 12 + 74  # 12 + ceil(0.5 * (159 - 12))
    assert first.reason_for_arrears == "Client bankruptcy affecting receivables"
    assert (first.recovery_stage, first.cash_flow, first.credit_type) == (
        "Pre-Legal",
        "Complete Breakdown",
        "Working Capital Loan",
    )
    assert not first.legal_action_in_progress and not first.attorney_involved
    assert first.metadata["original_amount"] == 32947.55
    assert first.metadata["recovery_probability"] == pytest.approx(55.666666666666664)
    assert first.metadata["collateral"] == "Inventory"
    assert first.metadata["last_payment_date"] == "2025-03-29 07:48:10.602368"
    assert first.metadata["proposed_solution"] == "Collateral liquidation"
    assert len(first.metadata) == 9


def test_crad_legal_row_5_maps_as_read_by_hand(crad_csv: Path) -> None:
    row = load_scenarios(f"csv:{crad_csv}", rows=(5, 5)).scenarios[0]
    assert row.id == "debt_006"
    assert (row.creditor, row.debtor) == ("Burke, Benson and Gay", "Smith, Banks and Adams")
    assert (row.creditor_target_days, row.debtor_target_days, row.days_overdue) == (18, 145, 103)
    assert row.authorised_limit_days == 18 + 64  # 18 + ceil(0.5 * 127)
    assert row.recovery_stage == "Legal" and row.legal_action_in_progress and row.attorney_involved
    assert row.reason_for_arrears == "Seasonal sales downturn" and row.credit_type == "Commercial Mortgage"


def test_crad_rows_selection(crad_csv: Path) -> None:
    part = load_scenarios(f"csv:{crad_csv}", rows=(10, 19))
    assert [s.id for s in part] == [f"debt_{i:03d}" for i in range(11, 21)]
    assert [s.id for s in load_scenarios(f"csv:{crad_csv}", rows=parse_rows("79-79"))] == ["debt_080"]
    with pytest.raises(ScenarioLoadError, match=r"rows 80-99 is out of range .* 80 data rows \(0-79\)"):
        load_scenarios(f"csv:{crad_csv}", rows=(80, 99))
    with pytest.raises(ScenarioLoadError, match=r"rows 70-80 is out of range"):
        load_scenarios(f"csv:{crad_csv}", rows=(70, 80))
    with pytest.raises(ScenarioLoadError, match=r"rows 5-3 is not a range"):
        load_scenarios(f"csv:{crad_csv}", rows=(5, 3))


def test_limit_share_assumption_is_configurable(crad_csv: Path) -> None:
    tight = load_scenarios(f"csv:{crad_csv}", rows=(0, 9), limit_share=0.0)
    loose = load_scenarios(f"csv:{crad_csv}", rows=(0, 9), limit_share=1.0)
    assert all(s.authorised_limit_days == s.creditor_target_days for s in tight)
    assert all(s.authorised_limit_days == s.debtor_target_days for s in loose)
    with pytest.raises(ScenarioLoadError, match="limit_share must be between 0 and 1"):
        load_scenarios(f"csv:{crad_csv}", limit_share=1.5)


def test_authorised_limit_rule() -> None:
    assert authorised_limit(10, 21, 0.5) == 16  # 10 + ceil(5.5)
    assert authorised_limit(10, 10, 0.5) == 10
    assert authorised_limit(30, 20, 0.5) == 30  # never below the creditor target


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_scenario_refuses_a_non_finite_balance_naming_the_field(value: float) -> None:
    # The day fields are whole numbers: pydantic's int type refuses inf and NaN on its own.
    with pytest.raises(ValidationError) as raised:
        Scenario(balance=value)
    errors = raised.value.errors()
    assert [error["loc"] for error in errors] == [("balance",)]
    assert errors[0]["msg"] == "Input should be a finite number"


def test_json_1e309_reads_as_infinity_and_is_refused() -> None:
    data = json.loads('{"balance": 1e309}')  # what json.loads makes of a number too large for a float
    assert data["balance"] == float("inf")
    with pytest.raises(ValidationError, match="balance\n  Input should be a finite number"):
        Scenario(**data)


@pytest.mark.parametrize(
    ("field", "value"),
    [("balance", 1e15), ("balance", 1e300), ("days_overdue", 10**9)],
)
def test_scenario_refuses_absurd_numbers(field: str, value: float) -> None:
    with pytest.raises(ValidationError, match=f"{field}\n  Input should be less than or equal to"):
        Scenario(**{field: value})


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_scenario_refuses_non_finite_metadata_numbers(value: float) -> None:
    with pytest.raises(ValidationError) as raised:
        Scenario(metadata={"interest_accrued": value})
    (error,) = raised.value.errors()
    assert error["loc"] == ("metadata",) and f"'interest_accrued' is {value}" in error["msg"]


def test_a_json_scenario_with_an_infinite_balance_is_a_row_error_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('[{"id": "ok"}, {"id": "huge", "balance": 1e309}, {"id": "nan", "days_overdue": NaN}]')
    loaded = load_scenarios(f"json:{path}")
    assert [s.id for s in loaded] == ["ok"]
    huge, nan = loaded.errors
    assert huge.columns == ("balance",) and "field 'balance': inf: Input should be a finite number" in huge.message
    assert nan.columns == ("days_overdue",) and "finite number" in nan.message


def test_parse_rows() -> None:
    assert parse_rows("0-79") == (0, 79)
    assert parse_rows(" 3 - 7 ") == (3, 7)
    assert parse_rows("4") == (4, 4)
    for bad in ("", "a-b", "5-3", "-1-2", "1-2-3", "1.5-3"):
        with pytest.raises(ScenarioLoadError, match="rows"):
            parse_rows(bad)


# --------------------------------------------------------------------------------------------------------------------
# Malformed CSV rows


@pytest.mark.parametrize(("newline", "bom"), [("\r\n", True), ("\n", False)])
def test_malformed_csv_rows_are_reported_and_the_others_load(tmp_path: Path, newline: str, bom: bool) -> None:
    header = [*CRAD_COLUMNS, "Authorised Limit Days", "Analyst Notes"]  # one optional, one unknown column
    good = crad_row(**{"Analyst Notes": "ignored"})
    rows: list[dict[str, Any] | list[str]] = [
        good,  # 0: fine
        crad_row(**{"Creditor Target Days": "abc"}),  # 1: non-numeric target
        crad_row(**{"Days Overdue": "-5"}),  # 2: negative days
        crad_row(**{"Debtor Name": ""}),  # 3: missing field
        crad_row(**{"Authorised Limit Days": "10"}),  # 4: creditor target 12 above the limit 10
        crad_row(**{"Debtor Target Days": "5"}),  # 5: debtor wants less than the creditor asks
        crad_row(**{"Creditor Target Days": "12.5", "Outstanding Balance (USD)": "lots"}),  # 6: two bad columns
        [*list(good.values())[:5]],  # 7: a short row (fields missing at the end)
        crad_row(**{"Authorised Limit Days": "40", "Recovery Stage": "Legal"}),  # 8: fine, explicit limit
    ]
    path = write_csv(tmp_path / "cases.csv", rows, header=header, newline=newline, bom=bom)
    loaded = load_scenarios(f"csv:{path}")

    assert [s.id for s in loaded] == ["debt_001", "debt_009"]
    assert loaded.scenarios[1].authorised_limit_days == 40 and loaded.scenarios[1].legal_action_in_progress
    assert "Analyst Notes" not in loaded.scenarios[0].metadata
    errors = {error.index: error for error in loaded.errors}
    assert sorted(errors) == [1, 2, 3, 4, 5, 6, 7]
    assert all(errors[i].line == i + 2 and errors[i].row_id == f"debt_{i + 1:03d}" for i in errors)

    assert errors[1].columns == ("Creditor Target Days",)
    assert "'abc' is not a whole number" in errors[1].message
    assert errors[2].columns == ("Days Overdue",) and "-5" in errors[2].message
    assert "greater than or equal to 0" in errors[2].message
    assert errors[3].columns == ("Debtor Name",) and "is empty" in errors[3].message
    assert errors[4].columns == ("Authorised Limit Days", "Creditor Target Days")
    assert "'Authorised Limit Days' (10) is below 'Creditor Target Days' (12)" in errors[4].message
    assert errors[5].columns == ("Debtor Target Days", "Creditor Target Days")
    assert set(errors[6].columns) == {"Creditor Target Days", "Outstanding Balance (USD)"}
    assert "'12.5'" in errors[6].message and "'lots' is not a number" in errors[6].message
    assert "Creditor Target Days" in errors[7].columns and "is empty" in errors[7].message
    text = str(errors[1])
    assert text.startswith(f"{path}: row 1 (line 3), debt_002: column 'Creditor Target Days'")


def test_csv_row_with_surplus_fields_is_reported(tmp_path: Path) -> None:
    fields = list(crad_row().values())
    path = write_csv(tmp_path / "c.csv", [crad_row(), [*fields, "stray"]])
    loaded = load_scenarios(f"csv:{path}")
    assert [s.id for s in loaded] == ["debt_001"]
    assert loaded.errors[0].index == 1 and "more field(s) than the header" in loaded.errors[0].message


def test_csv_line_numbers_follow_multiline_cells(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [crad_row(**{"Business Impact Description": "two\nlines"}), crad_row(**{"Days Overdue": "x"})],
    )
    loaded = load_scenarios(f"csv:{path}")
    assert loaded.errors[0].line == 4  # header 1, first row 2-3, second row 4


def _crad_lines(*rows: dict[str, Any]) -> list[str]:
    """The header and ``rows`` as CSV lines (each row on one line)."""
    lines = [",".join(CRAD_COLUMNS)]
    for row in rows:
        with io.StringIO() as buffer:
            csv.writer(buffer, lineterminator="").writerow([row.get(column, "") for column in CRAD_COLUMNS])
            lines.append(buffer.getvalue())
    return lines


def test_an_unterminated_quote_is_an_error_naming_its_line_not_a_silent_merge(tmp_path: Path) -> None:
    # The reported case: a quote opened in a name and never closed. The parser reads on, through the next row, until
    # the quote that opens a later row's name; that row's next character is not a delimiter.
    lines = _crad_lines(crad_row(), crad_row(), crad_row(), crad_row(**{"Creditor Name": "Shepherd, Hurst and Co"}))
    lines[2] = '"' + lines[2]  # line 3 (data row 1) opens a quote before its creditor name
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioLoadError, match=r"quote\.csv: line 3: malformed CSV .*opens a quote"):
        load_scenarios(f"csv:{path}")


def test_a_runaway_quote_closed_by_chance_is_an_error_naming_the_lines_it_swallowed(tmp_path: Path) -> None:
    # The last field of line 2 opens a quote; it closes at the end of the first field of line 4 (followed by a
    # comma, so the parser goes on): lines 3 and 4 are merged into line 2's row, which then has too many fields.
    lines = _crad_lines(crad_row(), crad_row(), crad_row(**{"Creditor Name": "Acme"}), crad_row())
    lines[1] = lines[1].rsplit(",", 1)[0] + ',"686.5'
    lines[3] = lines[3].replace("Acme,", 'Acme",', 1)
    path = tmp_path / "runaway.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioLoadError, match=r"runaway\.csv: line 2: .*runs on to line 4.*swallowed lines 3-4"):
        load_scenarios(f"csv:{path}")


def test_a_quote_still_open_at_the_end_of_the_file_is_an_error(tmp_path: Path) -> None:
    lines = _crad_lines(crad_row(), crad_row(), crad_row())
    lines[2] = lines[2].replace("Payroll at risk.", '"Payroll at risk.', 1)
    path = tmp_path / "open.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioLoadError, match=r"open\.csv: line 3: malformed CSV \(unexpected end of data\)"):
        load_scenarios(f"csv:{path}")


def test_csv_header_errors(tmp_path: Path) -> None:
    header = [c for c in CRAD_COLUMNS if c not in ("Debtor Target Days", "Recovery Stage")]
    path = write_csv(tmp_path / "h.csv", [crad_row()], header=header)
    with pytest.raises(ScenarioLoadError, match=r"lacks the required CRAD column\(s\) 'Debtor Target Days', 'Recov"):
        load_scenarios(f"csv:{path}")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ScenarioLoadError, match="empty file"):
        load_scenarios(f"csv:{empty}")
    with pytest.raises(ScenarioLoadError, match="not found"):
        load_scenarios(f"csv:{tmp_path / 'absent.csv'}")


def test_csv_without_any_loadable_row_raises(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", [crad_row(**{"Days Overdue": "soon"})] * 4)
    with pytest.raises(ScenarioLoadError, match=r"no loadable scenario: .*row 0 \(line 2\).*'soon'.*\(and 1 more\)"):
        load_scenarios(f"csv:{path}")
    header_only = write_csv(tmp_path / "header.csv", [])
    with pytest.raises(ScenarioLoadError, match="no loadable scenario"):
        load_scenarios(f"csv:{header_only}")


def test_crad_row_mapping_accepts_typed_values() -> None:
    row: dict[str, Any] = crad_row(**{"Creditor Target Days": 12, "Debtor Target Days": 100.0, "Days Overdue": 7})
    row["Recovery Probability (%)"] = 40
    del row["Business Sector"]  # metadata columns are optional
    scenario = scenario_from_crad_row(row, 41)
    assert scenario.id == "debt_042" and scenario.debtor_target_days == 100
    assert scenario.metadata["recovery_probability"] == 40.0 and "business_sector" not in scenario.metadata


# --------------------------------------------------------------------------------------------------------------------
# JSON and JSONL


def scenario_dict(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"creditor": "Fernmoor Credit Union", "debtor": "Ines Ardmoss", "balance": 950.0}
    data.update(changes)
    return data


def test_json_list_and_wrapped_object(tmp_path: Path) -> None:
    items = [scenario_dict(id="a"), scenario_dict(), scenario_dict(id="c", recovery_stage="Legal")]
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps(items))
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"scenarios": items}))
    for path in (listed, wrapped):
        loaded = load_scenarios(f"json:{path}")
        assert [s.id for s in loaded] == ["a", f"{path.stem}-002", "c"] and loaded.errors == []
        assert loaded.scenarios[0] == Scenario(**items[0])
    assert [s.id for s in load_scenarios(f"json:{listed}", rows=(1, 2))] == ["list-002", "c"]


def test_json_bad_items_name_the_index_and_field(tmp_path: Path) -> None:
    items = [
        scenario_dict(id="ok"),
        scenario_dict(id="neg", balance=-5),
        scenario_dict(id="extra", colour="blue"),
        "not an object",
        scenario_dict(id="ok"),  # duplicate id
        scenario_dict(id="limit", creditor_target_days=60, authorised_limit_days=30),
    ]
    path = tmp_path / "s.json"
    path.write_text(json.dumps(items))
    loaded = load_scenarios(f"json:{path}")
    assert [s.id for s in loaded] == ["ok"]
    errors = {error.index: error for error in loaded.errors}
    assert errors[1].row_id == "neg" and errors[1].columns == ("balance",) and errors[1].line is None
    assert "field 'balance': -5: Input should be greater than 0" in errors[1].message
    assert errors[2].columns == ("colour",) and "Extra inputs are not permitted" in errors[2].message
    assert errors[3].row_id == "item 3" and "expected a JSON object, got str" in errors[3].message
    assert errors[4].row_id == "ok" and "duplicate id 'ok'" in errors[4].message
    assert errors[5].columns == ("authorised_limit_days", "creditor_target_days")


def test_json_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"creditor": "A",\n oops}]')
    with pytest.raises(ScenarioLoadError, match=r"broken.json:2:2: not valid JSON"):
        load_scenarios(f"json:{broken}")
    shaped = tmp_path / "shaped.json"
    shaped.write_text(json.dumps({"cases": []}))
    with pytest.raises(ScenarioLoadError, match=r"expected a JSON list .* got dict with keys \['cases'\]"):
        load_scenarios(f"json:{shaped}")
    with pytest.raises(ScenarioLoadError, match="not found"):
        load_scenarios(f"json:{tmp_path / 'none.json'}")


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(scenario_dict(id="one")),
        "",
        "{not json",
        json.dumps(scenario_dict(id="two", days_overdue=-1)),
        json.dumps(scenario_dict(id="three")),
    ]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n")
    loaded = load_scenarios(f"jsonl:{path}")
    assert [s.id for s in loaded] == ["one", "three"]
    bad_json, bad_value = loaded.errors
    assert (bad_json.index, bad_json.line) == (1, 3) and "not valid JSON" in bad_json.message
    assert (bad_value.index, bad_value.line, bad_value.row_id) == (2, 4, "two")
    assert bad_value.columns == ("days_overdue",) and "-1" in bad_value.message
    assert [s.id for s in load_scenarios(f"jsonl:{path}", rows=(2, 3))] == ["three"]


def test_emodebt_json_shape_maps(emodebt_dir: Path) -> None:
    configs = load_scenarios(f"json:{emodebt_dir / 'debt_collection_scenarios.json'}")
    assert len(configs) == 160 and configs.errors == []
    first = configs.scenarios[0]
    assert first.id == "debt_0_0" and first.creditor == "Hughes, Ortiz and Hudson"
    assert (first.creditor_target_days, first.debtor_target_days, first.days_overdue) == (11, 178, 133)
    assert first.authorised_limit_days == 11 + 84  # 11 + ceil(0.5 * 167)
    assert first.reason_for_arrears == "Client bankruptcy affecting receivables"
    assert (first.credit_type, first.recovery_stage, first.cash_flow) == (
        "Working Capital Loan",
        "Pre-Legal",
        "Complete Breakdown",
    )
    assert first.metadata["creditor_original_target_days"] == 12

    sample = load_scenarios(f"json:{emodebt_dir / 'eq_negotiator_sample_scenarios.json'}")
    one = sample.scenarios[0]
    assert (one.id, one.balance, one.creditor_target_days, one.debtor_target_days) == ("debt_001", 15000.0, 30, 90)
    assert one.authorised_limit_days == 60  # seller.max_price
    assert one.reason_for_arrears == "not stated"


def test_emodebt_bad_item_names_the_path(tmp_path: Path) -> None:
    good = {"id": "d1", "seller": {"target_price": "10"}, "buyer": {"target_price": "90"}}
    good["metadata"] = {"creditor_name": "A Co", "debtor_name": "B Co", "outstanding_balance": 100}
    bad = json.loads(json.dumps(good)) | {"id": "d2"}
    bad["buyer"]["target_price"] = "soon"
    path = tmp_path / "e.json"
    path.write_text(json.dumps([good, bad]))
    loaded = load_scenarios(f"json:{path}")
    assert [s.id for s in loaded] == ["d1"] and loaded.scenarios[0].authorised_limit_days == 50
    assert loaded.errors[0].columns == ("buyer.target_price",)
    assert "field 'buyer.target_price': 'soon' is not a whole number" in loaded.errors[0].message


# --------------------------------------------------------------------------------------------------------------------
# Hugging Face


class FakeDataset:
    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.column_names = list(rows[0])

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self.rows[index]


def fake_datasets(monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    calls: list[tuple[str, str]] = []

    def load_dataset(name: str, split: str) -> FakeDataset:
        calls.append((name, split))
        return FakeDataset(rows)

    module = types.ModuleType("datasets")
    module.load_dataset = load_dataset  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "datasets", module)
    return calls


def test_hf_without_datasets_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasets", None)  # makes `import datasets` fail
    with pytest.raises(ScenarioLoadError, match=r"pip install 'eq-negotiator\[datasets\]'"):
        load_scenarios("hf:someone/crad")


def test_hf_rows_use_the_crad_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    typed = crad_row(**{"Creditor Target Days": 12, "Debtor Target Days": 100, "Outstanding Balance (USD)": 15700.0})
    rows = [typed, crad_row(**{"Days Overdue": "n/a"}), crad_row(**{"Recovery Stage": "Legal"})]
    calls = fake_datasets(monkeypatch, rows)
    loaded = load_scenarios("hf:someone/crad@test")
    assert calls == [("someone/crad", "test")]
    assert [s.id for s in loaded] == ["debt_001", "debt_003"]
    assert loaded.scenarios[0] == scenario_from_crad_row(crad_row(), 0)
    assert loaded.scenarios[1].legal_action_in_progress
    assert loaded.errors[0].source == "hf:someone/crad@test" and loaded.errors[0].columns == ("Days Overdue",)
    assert [s.id for s in load_scenarios("hf:someone/crad", rows=(2, 2))] == ["debt_003"]
    assert calls[-1] == ("someone/crad", "train")


def test_hf_missing_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_datasets(monkeypatch, [{"text": "hi", "label": 1}])
    with pytest.raises(ScenarioLoadError, match=r"hf:x@train: columns lack the required CRAD column\(s\) 'Credit"):
        load_scenarios("hf:x")


# --------------------------------------------------------------------------------------------------------------------
# Built-in scenarios and specs


def test_builtin_is_deterministic_per_seed() -> None:
    assert builtin_scenarios(seed=7) == builtin_scenarios(seed=7)
    assert builtin_scenarios(seed=7) != builtin_scenarios(seed=8)
    assert builtin_scenarios(20, seed=7)[:12] != [] and len(builtin_scenarios(20, seed=7)) == 20


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_builtin_scenarios_are_valid_and_varied(seed: int) -> None:
    scenarios = builtin_scenarios(seed=seed)
    assert len(scenarios) >= 12
    assert [s.id for s in scenarios] == [f"builtin-{i:02d}" for i in range(1, len(scenarios) + 1)]
    for s in scenarios:
        assert Scenario.model_validate(s.model_dump()) == s
        assert s.creditor_target_days < s.debtor_target_days
        assert s.legal_action_in_progress == (s.recovery_stage == "Legal") == s.attorney_involved
    assert {s.recovery_stage for s in scenarios} == set(STAGES)
    assert {s.cash_flow for s in scenarios} == set(CASH_FLOWS)
    assert {s.metadata["segment"] for s in scenarios} == {"consumer", "business"}
    balances = [s.balance for s in scenarios]
    assert min(balances) < 2_000 and max(balances) > 10_000
    # Some easy (the limit reaches the debtor's target), some hard (a wide gap stays).
    assert any(s.authorised_limit_days >= s.debtor_target_days for s in scenarios)
    assert any(s.debtor_target_days - s.authorised_limit_days >= 30 for s in scenarios)
    assert len({s.reason_for_arrears for s in scenarios}) >= 6


def test_builtin_specs() -> None:
    assert load_scenarios("builtin").scenarios == builtin_scenarios()
    assert load_scenarios("builtin:15", seed=3).scenarios == builtin_scenarios(15, seed=3)
    assert [s.id for s in load_scenarios("builtin", rows=(0, 1))] == ["builtin-01", "builtin-02"]
    for bad in ("builtin:0", "builtin:x", "builtin:-2"):
        with pytest.raises(ScenarioLoadError, match="builtin:<n>"):
            load_scenarios(bad)
    with pytest.raises(ValueError, match="n >= 1"):
        builtin_scenarios(0)


@pytest.mark.parametrize("spec", ["crad.csv", "xml:file.xml", "csv:", "builtins", ""])
def test_unknown_specs(spec: str) -> None:
    with pytest.raises(ScenarioLoadError, match=r"unknown scenario spec .*valid forms: builtin, builtin:<n>, csv"):
        load_scenarios(spec)
