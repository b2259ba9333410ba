"""Pay-equity audit: expected pay and attainment gaps between equity groups, raw and adjusted for
role and quota by ordinary least squares.

For each outcome y (expected pay, expected attainment), per rep:

    y = a + sum_r b_r [role = r] + c log(quota) + sum_g d_g [group = g] + e

with the largest group as the reference (no dummy). ``d_g`` is the gap of group g at equal role
and quota; for pay it is reported relative to the reference group's mean pay, with its OLS
standard error. Raw gaps are plain differences of group means. Roles with one rep, or a constant
log quota, simply contribute a rank-deficient column: lstsq handles it, and the reported standard
errors use the pseudo-inverse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GroupGap:
    group: str
    reps: int
    raw_pay_gap: float
    adjusted_pay_gap: float
    adjusted_pay_gap_se: float
    raw_attainment_gap: float
    adjusted_attainment_gap: float
    flagged: bool


@dataclass(frozen=True)
class Audit:
    reference_group: str
    max_gap: float
    gaps: list[GroupGap]


@dataclass(frozen=True)
class _Factor:
    """One thin SVD of a design matrix x, with lstsq's cut-off applied: singular values below
    ``max(n, p) * eps * s_max`` count as zero (lstsq's and matrix_rank's cut-off)."""

    x: np.ndarray
    u: np.ndarray
    vt: np.ndarray
    inv: np.ndarray  # 1 / s where kept, else 0
    dof: int  # residual degrees of freedom
    diag: np.ndarray  # diag of V S+^2 V^T (= pinv(x^T x))

    @staticmethod
    def of(x: np.ndarray) -> _Factor:
        u, s, vt = np.linalg.svd(x, full_matrices=False)
        keep = s > max(x.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
        inv = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
        return _Factor(x, u, vt, inv, max(x.shape[0] - int(keep.sum()), 1), (vt.T**2) @ (inv**2))


def _ols(x: np.ndarray | _Factor, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients of each column of ``ys`` (k outcomes) and their standard
    errors, from one thin SVD of x (or its ``_Factor``): coef = V S+ U^T y, cov = s2 V S+^2 V^T
    (= s2 pinv(x^T x))."""
    f = x if isinstance(x, _Factor) else _Factor.of(x)
    coef = f.vt.T @ (f.inv[:, None] * (f.u.T @ ys))  # (p, k)
    resid = ys - f.x @ coef
    s2 = np.sum(resid * resid, axis=0) / f.dof  # (k,)
    return coef, np.sqrt(np.maximum(np.outer(f.diag, s2), 0.0))


def design_matrix(
    role: list[str] | np.ndarray, quota: np.ndarray, group: list[str] | np.ndarray
) -> tuple[str, list[str], np.ndarray, int]:
    """Reference group (the largest), the other groups, the regressors [1, role dummies,
    log quota, group dummies] and the column of the first group dummy."""
    group = np.asarray(group, dtype=object)
    role = np.asarray(role, dtype=object)
    names, counts = np.unique(group, return_counts=True)
    ref = str(names[np.argmax(counts)])  # ties: the first name in sorted order
    others = [str(g) for g in names if g != ref]
    roles = sorted(set(role.tolist()))
    cols = [np.ones(len(group))]
    cols += [(role == r).astype(float) for r in roles[1:]]
    cols.append(np.log(np.asarray(quota, dtype=float)))
    first_group = len(cols)
    cols += [(group == g).astype(float) for g in others]
    return ref, others, np.column_stack(cols), first_group


@dataclass(frozen=True)
class AuditDesign:
    """Everything of ``audit`` that depends on the roster only (its roles, quotas and equity
    groups, in roster order): the groups, the regressors and their factorisation. A team
    evaluated again and again (EvaluatePlan what-ifs) factorises once (``PlanModel.audit_design``)."""

    reference_group: str
    others: list[str]
    first_group: int
    factor: _Factor
    is_ref: np.ndarray  # (n,) bool
    members: list[np.ndarray]  # (n,) bool per other group

    @staticmethod
    def of(role: list[str] | np.ndarray, quota: np.ndarray, group: list[str] | np.ndarray) -> AuditDesign | None:
        """The design, or None when there are fewer than two groups (no audit)."""
        group = np.asarray(group, dtype=object)
        if np.unique(group).size < 2:
            return None
        ref, others, x, first_group = design_matrix(np.asarray(role, dtype=object), quota, group)
        return AuditDesign(ref, others, first_group, _Factor.of(x), group == ref, [group == g for g in others])


def audit_with(design: AuditDesign, pay: np.ndarray, attainment: np.ndarray, max_gap: float) -> Audit:
    """The audit of per-rep expected ``pay`` and ``attainment`` (roster order) on ``design``."""
    pay, attainment = np.asarray(pay, dtype=float), np.asarray(attainment, dtype=float)
    coef, se = _ols(design.factor, np.column_stack([pay, attainment]))
    first = design.first_group
    pay_coef, pay_se, att_coef = coef[:, 0], se[:, 0], coef[:, 1]
    ref_pay = float(np.mean(pay[design.is_ref]))
    ref_att = float(np.mean(attainment[design.is_ref]))
    gaps = []
    for j, (g, member) in enumerate(zip(design.others, design.members, strict=True)):
        adj = float(pay_coef[first + j]) / ref_pay
        gaps.append(
            GroupGap(
                group=g,
                reps=int(member.sum()),
                raw_pay_gap=float(np.mean(pay[member])) / ref_pay - 1.0,
                adjusted_pay_gap=adj,
                adjusted_pay_gap_se=float(pay_se[first + j]) / ref_pay,
                raw_attainment_gap=float(np.mean(attainment[member])) - ref_att,
                adjusted_attainment_gap=float(att_coef[first + j]),
                flagged=abs(adj) > max_gap,
            )
        )
    return Audit(reference_group=design.reference_group, max_gap=max_gap, gaps=gaps)


def audit(
    pay: np.ndarray,
    attainment: np.ndarray,
    role: list[str] | np.ndarray,
    quota: np.ndarray,
    group: list[str] | np.ndarray,
    max_gap: float,
) -> Audit | None:
    """The audit, or None when there are fewer than two groups."""
    design = AuditDesign.of(role, quota, group)
    return None if design is None else audit_with(design, pay, attainment, max_gap)
