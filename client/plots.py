"""PNG plots for planners (``pip install 'planopt[plots]'``: matplotlib, headless Agg backend).

Each function writes one PNG and returns its path. Nothing here talks to the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _plt() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise RuntimeError("plots need matplotlib: pip install 'planopt[plots]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _payout(lev: dict[str, float], x: float) -> float:
    b, ti, t, q = lev["base_usd"], lev["target_incentive_usd"], lev["threshold_attainment"], lev["quota_bonus_share"]
    acc, cap = lev["accelerator"], lev["cap_attainment"]
    s = ti * (1 - q) / (1 - t)
    if x < t:
        return b
    if x < 1.0:
        return b + s * (x - t)
    return b + ti + s * acc * (min(x, cap) - 1.0)


def payout_curves(plans: dict[str, dict[str, float]], path: str, title: str = "Payout curve") -> str:
    """Pay vs attainment for each labelled plan (levers as in RolePlan)."""
    plt = _plt()
    xs = [i / 200 for i in range(0, 601)]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for label, lev in plans.items():
        ax.plot([100 * x for x in xs], [_payout(lev, x) / 1000 for x in xs], label=label)
    ax.set_xlabel("attainment (% of quota)")
    ax.set_ylabel("annual pay ($K)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def attainment_histogram(counts: Sequence[int], path: str, title: str = "Simulated rep attainment") -> str:
    """Bins of 0.1 from 0 to 3 (last bin open), as in MonteCarloResult.attainment_histogram."""
    plt = _plt()
    total = max(sum(counts), 1)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.bar([10 * i + 5 for i in range(len(counts))], [c / total for c in counts], width=9)
    ax.set_xlabel("attainment (% of quota; last bar = 300%+)")
    ax.set_ylabel("share of rep-years")
    ax.set_title(title)
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def frontier(budgets: Sequence[float], objectives: Sequence[float | None], path: str, xlabel: str) -> str:
    """The frontier: objective vs budget (infeasible points as gaps)."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    pts = [(100 * b, 100 * o) for b, o in zip(budgets, objectives, strict=True) if o is not None]
    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("expected attainment (%)")
    ax.set_title("Frontier: best plan per budget")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def tornado(
    names: Sequence[str], low: Sequence[float], high: Sequence[float], base: float, path: str, fraction: float
) -> str:
    """Optimal objective with each input at -X and +X, widest swing on top."""
    plt = _plt()
    order = sorted(range(len(names)), key=lambda i: abs(high[i] - low[i]))
    fig, ax = plt.subplots(figsize=(7, 0.6 * len(names) + 1.5))
    for row, i in enumerate(order):
        for value, colour in ((low[i], "tab:red"), (high[i], "tab:blue")):
            ax.barh(row, 100 * (value - base), left=100 * base, color=colour, alpha=0.8)
    ax.set_yticks(range(len(order)), [names[i] for i in order])
    ax.axvline(100 * base, color="black", linewidth=0.8)
    ax.set_xlabel(
        f"optimal expected attainment (%), inputs at -{100 * fraction:g}% (red) / +{100 * fraction:g}% (blue)"
    )
    ax.set_title("Sensitivity of the optimal plan's objective")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def territory_map(
    x: Sequence[float],
    y: Sequence[float],
    assigned: Sequence[str],
    homes: dict[str, tuple[float, float]],
    path: str,
    title: str = "Territory design",
) -> str:
    """Accounts coloured by assigned rep, reps' home bases as stars."""
    plt = _plt()
    reps = sorted(set(assigned) | set(homes))
    colour = {r: plt.cm.tab20(i % 20) for i, r in enumerate(reps)}
    fig, ax = plt.subplots(figsize=(7, 7))
    ax.scatter(x, y, c=[colour[r] for r in assigned], s=14, alpha=0.85, linewidths=0)
    for r, (hx, hy) in homes.items():
        ax.scatter([hx], [hy], marker="*", s=260, c=[colour[r]], edgecolors="black", linewidths=0.8)
        ax.annotate(r, (hx, hy), textcoords="offset points", xytext=(6, 6), fontsize=8)
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def price_distribution(
    price: Sequence[float], density: Sequence[float], shifted: dict[str, Sequence[float]], path: str
) -> str:
    """The deal-price distribution before incentives (bars) and after (steps), seed 004 style."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = (price[1] - price[0]) * 0.9 if len(price) > 1 else 1.0
    ax.bar(price, density, width=width, color="lightgray", label="before")
    for label, values in shifted.items():
        ax.step(price, values, where="mid", label=f"after ({label})")
    ax.set_xlabel("deal price")
    ax.set_ylabel("density")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def effort_profiles(
    curves: dict[str, Sequence[float]],
    path: str,
    policies: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> str:
    """Mean effort by month of the plan year per plan (left) and, when given, each plan's effort
    policy in a period's last month against cumulative sales (right: the give-up / push state
    dependence, seed 001's dynamics)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2 if policies else 1, figsize=(12 if policies else 8, 4.5), squeeze=False)
    ax = axes[0][0]
    for label, values in curves.items():
        ax.plot(range(1, len(values) + 1), values, marker="o", label=label)
    ax.set_xlabel("month")
    ax.set_ylabel("mean effort")
    ax.set_xticks(range(1, 13))
    ax.legend()
    if policies:
        ax2 = axes[0][1]
        for label, (sales, effort) in policies.items():
            ax2.plot(sales, effort, label=label)
        ax2.set_xlabel("cumulative sales entering the period's last month (annual-quota units)")
        ax2.set_ylabel("effort")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
