"""Simulation of negotiations: scenario sources, the nine debtor personas, and simulated debtors (scripted and LLM).

Pure domain code: nothing here imports the graph.
"""

from eq_negotiator.simulation.debtors import (
    SCRIPTED_ASSUMPTIONS,
    SCRIPTED_KIND,
    CreditorMove,
    Debtor,
    DebtorTurn,
    LLMDebtor,
    ScriptedDebtor,
    make_debtor,
)
from eq_negotiator.simulation.personas import (
    COOPERATIVE_PERSONAS,
    HONEST_PERSONAS,
    PERSONA_NAMES,
    PERSONAS,
    Persona,
    get_persona,
    parse_personas,
)
from eq_negotiator.simulation.scenarios import (
    SCENARIO_SPEC_FORMS,
    RowError,
    ScenarioLoadError,
    ScenarioSet,
    builtin_scenarios,
    load_scenarios,
    parse_rows,
)

__all__ = [
    "COOPERATIVE_PERSONAS",
    "HONEST_PERSONAS",
    "PERSONAS",
    "PERSONA_NAMES",
    "SCENARIO_SPEC_FORMS",
    "SCRIPTED_ASSUMPTIONS",
    "SCRIPTED_KIND",
    "CreditorMove",
    "Debtor",
    "DebtorTurn",
    "LLMDebtor",
    "Persona",
    "RowError",
    "ScenarioLoadError",
    "ScenarioSet",
    "ScriptedDebtor",
    "builtin_scenarios",
    "get_persona",
    "load_scenarios",
    "make_debtor",
    "parse_personas",
    "parse_rows",
]
