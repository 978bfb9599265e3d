"""The credit scenario a dialogue negotiates: who owes whom, how much, and each side's target timeline.

This is the minimal model the turn graph and the responders need; the simulation layer loads scenarios from the
CRAD CSV schema and JSON files into the same model.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_BALANCE: Final[float] = 1e12
"""The largest balance a scenario may hold: beyond a trillion it is a typo or a unit error, not a debt."""

MAX_DAYS_OVERDUE: Final[int] = 36_500
"""The longest a debt may be overdue (a hundred years); beyond that the number is a typo."""


class Scenario(BaseModel):
    """One credit-recovery case.

    Every number must be finite (JSON's ``NaN``, ``Infinity`` and ``1e309``, which Python reads as infinity, are
    refused with the field named) and within its bounds.

    Attributes:
        id: A stable identifier (``debt_001``, ``builtin-03``...) used in simulation records; ``None`` for an ad-hoc
            scenario (records then call it ``scenario``).
        creditor: Name of the lender or agency the agent speaks for.
        debtor: Name of the client.
        balance: Outstanding balance: above 0, at most :data:`MAX_BALANCE`.
        currency: Currency code of ``balance``.
        creditor_target_days: Repayment timeline the creditor asks for.
        debtor_target_days: Timeline the client privately hopes for (used by simulations, never told to the agent's
            LLM as a fact about the client).
        authorised_limit_days: The longest timeline the agent may agree to.
        days_overdue: How long the debt has been overdue (at most :data:`MAX_DAYS_OVERDUE` days).
        reason_for_arrears: Why the client fell behind, if known.
        creditor_kind: What the creditor is (``private lender``, ``collection agency``...); never a government body
            or a law firm unless it really is one.
        legal_action_in_progress: Whether a lawsuit (or other legal action) has actually been filed; only then may
            the agent mention it.
        attorney_involved: Whether an attorney acts for the creditor in this case.
        terms_in_play: What is negotiated: ``days`` (the repayment timeline; always), and optionally
            ``settlement_amount`` and ``instalments``.
        recovery_stage: Where the case is in the recovery process (CRAD's ``Early Delinquency`` ... ``Legal``),
            if known.
        cash_flow: The client's cash-flow situation (``Temporary Disruption``, ``Chronic Shortage``,
            ``Complete Breakdown``), if known.
        credit_type: The kind of credit (``Working Capital Loan``, ``Credit card``...), if known.
        metadata: Other descriptive facts from the source (e.g. CRAD's remaining columns), as flat JSON scalars.
        reference_date: The day the client's dates are counted from ("pay on the 15th", "next Friday"); ``None``
            (the default) means the day each turn runs (see :meth:`reference_day`). Tests and replays pass one
            explicitly, so that no reading depends on the wall clock.
    """

    # allow_inf_nan=False: a balance of inf would be read as a debt and said as "USD inf".
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    id: str | None = Field(default=None, min_length=1, max_length=200)
    creditor: str = Field(default="Northwind Lending", min_length=1, max_length=200)
    debtor: str = Field(default="Alex Morgan", min_length=1, max_length=200)
    balance: float = Field(default=4_850.0, gt=0, le=MAX_BALANCE)
    currency: str = Field(default="USD", min_length=3, max_length=3)
    creditor_target_days: int = Field(default=30, gt=0, le=3650)
    debtor_target_days: int = Field(default=120, gt=0, le=3650)
    authorised_limit_days: int = Field(default=90, gt=0, le=3650)
    days_overdue: int = Field(default=45, ge=0, le=MAX_DAYS_OVERDUE)
    reason_for_arrears: str = Field(default="reduced working hours", max_length=500)
    creditor_kind: str = Field(default="private lender", min_length=1, max_length=100)
    legal_action_in_progress: bool = False
    attorney_involved: bool = False
    terms_in_play: tuple[Literal["days", "settlement_amount", "instalments"], ...] = ("days",)
    recovery_stage: str | None = Field(default=None, min_length=1, max_length=100)
    cash_flow: str | None = Field(default=None, min_length=1, max_length=100)
    credit_type: str | None = Field(default=None, min_length=1, max_length=100)
    metadata: dict[str, str | float | int | bool | None] = Field(default_factory=dict)
    reference_date: dt.date | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _metadata_numbers_are_finite(cls, value: Any) -> Any:
        # Checked here rather than left to the union's validation, which would report the value once per member type.
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, float) and not math.isfinite(item):
                    raise ValueError(f"{key!r} is {item}: numbers must be finite")
        return value

    @model_validator(mode="after")
    def _limits_are_consistent(self) -> Scenario:
        if "days" not in self.terms_in_play:
            raise ValueError("terms_in_play must include 'days' (the repayment timeline is always negotiated)")
        if self.authorised_limit_days < self.creditor_target_days:
            raise ValueError(
                f"authorised_limit_days ({self.authorised_limit_days}) is below creditor_target_days "
                f"({self.creditor_target_days}): the agent could never concede"
            )
        if self.debtor_target_days < self.creditor_target_days:
            # The client wanting a shorter timeline than the creditor asks for is no negotiation at all, and the
            # savings ratio (debtor target - agreed) / (debtor target - creditor target) would flip its sign.
            raise ValueError(
                f"debtor_target_days ({self.debtor_target_days}) is below creditor_target_days "
                f"({self.creditor_target_days}): the client must want at least as long as the creditor asks"
            )
        return self

    def __hash__(self) -> int:
        # Frozen models hash their field values; ``metadata`` is a dict, so hash its items instead (keeps scenarios
        # usable as dict keys and in sets, as they were before ``metadata`` existed).
        return hash(
            tuple(frozenset(value.items()) if isinstance(value, dict) else value for value in self.__dict__.values())
        )

    def to_state(self) -> dict[str, Any]:
        """Return the scenario as JSON-native data for graph state."""
        return self.model_dump(mode="json")

    def reference_day(self) -> dt.date:
        """The day dates are resolved against: :attr:`reference_date`, else today (when the turn runs)."""
        return self.reference_date if self.reference_date is not None else dt.date.today()

    def balance_text(self) -> str:
        """The balance as a person would say it, e.g. ``USD 4,850.00``."""
        return f"{self.currency} {self.balance:,.2f}"
