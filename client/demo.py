"""The seed-000 demo team: 45 mid-market AEs, generated deterministically in pure Python.

Source: ../shared/seeds/seed-000 (a RevOps brief). What the seed states, and what the model
reproduces under the current plan (tests/unit/test_calibration.py checks each within 1 point):

    current plan   $85K base + $85K variable: half commission on attainment, half an annual
                   quota bonus at 100%; 10% accelerator above 100% (commission slope x 1.1)
    quotas         average $1.2M
    attainment     mean 78%, top-quartile mean 125%, bottom-quartile mean 45%
    cost of sales  13.5% of revenue
    attrition      22% a year (industry 18%)
    targets        attainment 85%, CoS 12%, attrition 15%

Assumptions the seed does not state (ours, documented here and in the README):

* Reps differ in baseline attainment ``mu`` only through a skill score ``z`` (normal quantiles,
  one per rep): ``mu = MU_SHIFT + MU_SCALE * exp(MU_SKEW * z)`` -- right-skewed, as sales
  attainment is. Effort productivity k = 1, effort cost d = $400K per unit effort squared
  (at 10 points of extra attainment, one more point costs the rep $400 of disutility), attainment noise sd 0.18 (deal lumpiness), risk aversion 1e-5 / USD
  (a $30K pay sd costs a rep $4.5K of certainty equivalent).
* Quotas average exactly $1.2M and rise mildly with skill (``QUOTA_SKILL``), plus a fixed
  skill-independent spread; the plan has no threshold and is effectively uncapped (cap 300%).
* Outside options rise with skill: ``OUTSIDE_BASE + OUTSIDE_SKILL * z`` (USD certainty
  equivalent of the best alternative job, net of effort); attrition is logistic in
  (outside option - welfare) with scale $15K.
* Market median OTE for the role is the current OTE, $170K (the seed says nothing else).
* Equity groups "A" and "B" alternate through a fixed permutation (no planted gap).

The free constants below were fitted once by ``python -m planopt.solvers.calibration`` (least
squares on the five seed statistics); the test re-evaluates the model, it does not trust them.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

N_REPS = 45
ROLE = "AE-MidMarket"
AVERAGE_QUOTA_USD = 1_200_000.0
MARKET_OTE_USD = 170_000.0

# Fitted by planopt.solvers.calibration (see module docstring).
MU_SHIFT = 0.194093
MU_SCALE = 0.328010
MU_SKEW = 0.661432
QUOTA_SKILL = 0.044466
OUTSIDE_BASE = 96_940.43

# Assumed (not fitted).
EFFORT_COST_USD = 400_000.0
NOISE_SD = 0.18
RISK_AVERSION_PER_USD = 1e-5
OUTSIDE_SKILL_USD = 8_000.0
QUOTA_SPREAD = 0.12

CURRENT_PLAN: dict[str, float] = {
    "base_usd": 85_000.0,
    "target_incentive_usd": 85_000.0,
    "threshold_attainment": 0.0,
    "quota_bonus_share": 0.5,
    "accelerator": 1.1,
    "cap_attainment": 3.0,
}

# Bounds a planner would allow for next year's plan (all levers free).
PLAN_BOUNDS: dict[str, tuple[float, float]] = {
    "base_usd": (60_000.0, 120_000.0),
    "target_incentive_usd": (40_000.0, 130_000.0),
    "threshold_attainment": (0.0, 0.6),
    "quota_bonus_share": (0.0, 0.8),
    "accelerator": (1.0, 3.0),
    "cap_attainment": (1.5, 3.0),
}

# The planner's default question: the most attainment without raising cost of sales above
# today's 13.5%, attrition at most the industry's 18%, OTE at market (+-5%), base/OTE between
# 40% and 70%, a 5% pay-equity gap limit and a $60K salary floor.
CONSTRAINTS: dict[str, Any] = {
    "max_cost_of_sales": 0.135,
    "max_attrition": 0.18,
    "ote_band_fraction": 0.05,
    "mix": {"*": (0.40, 0.70)},
    "max_equity_gap": 0.05,
    "salary_floor_usd": 60_000.0,
}
# The seed's own targets together (CoS 12%, attrition 15%): the model finds them infeasible
# with OTE at market, and reports the smallest relaxation.
SEED_TARGET_CONSTRAINTS: dict[str, Any] = {**CONSTRAINTS, "max_cost_of_sales": 0.12, "max_attrition": 0.15}


def _skill_scores() -> list[float]:
    nd = NormalDist()
    return [nd.inv_cdf((i + 0.5) / N_REPS) for i in range(N_REPS)]


def demo_roster() -> dict[str, list[Any]]:
    """Columns of the demo roster (plain lists: the thin client needs no numpy)."""
    return generate_roster(MU_SHIFT, MU_SCALE, MU_SKEW, QUOTA_SKILL, OUTSIDE_BASE)


def generate_roster(
    mu_shift: float, mu_scale: float, mu_skew: float, quota_skill: float, outside_base: float
) -> dict[str, list[Any]]:
    """The demo family with its free constants given (calibration varies them)."""
    z = _skill_scores()
    # A fixed permutation decorrelates the quota spread and the equity groups from skill.
    perm = [(7 * i + 3) % N_REPS for i in range(N_REPS)]
    raw_quota = [1.0 + quota_skill * z[i] + QUOTA_SPREAD * z[perm[i]] for i in range(N_REPS)]
    mean_raw = sum(raw_quota) / N_REPS
    return {
        "rep_id": [f"AE-{i + 1:02d}" for i in range(N_REPS)],
        "role": [ROLE] * N_REPS,
        "quota_usd": [AVERAGE_QUOTA_USD * rq / mean_raw for rq in raw_quota],
        "baseline_attainment": [mu_shift + mu_scale * math.exp(mu_skew * zi) for zi in z],
        "effort_productivity": [1.0] * N_REPS,
        "noise_sd": [NOISE_SD] * N_REPS,
        "effort_cost_usd": [EFFORT_COST_USD] * N_REPS,
        "risk_aversion_per_usd": [RISK_AVERSION_PER_USD] * N_REPS,
        "outside_option_usd": [outside_base + OUTSIDE_SKILL_USD * zi for zi in z],
        "equity_group": ["A" if perm[i] % 2 == 0 else "B" for i in range(N_REPS)],
    }


SEED_TARGETS: dict[str, float] = {
    "mean_attainment": 0.78,
    "top_quartile_attainment": 1.25,
    "bottom_quartile_attainment": 0.45,
    "cost_of_sales": 0.135,
    "attrition": 0.22,
}
