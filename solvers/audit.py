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


def _ols(x: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares coefficients of each column of ``ys`` (k outcomes) and their standard
    errors, from one thin SVD of x: coef = V S+ U^T y, cov = s2 V S+^2 V^T (= s2 pinv(x^T x)),
    singular values below ``max(n, p) * eps * s_max`` treated as zero (lstsq's and
    matrix_rank's cut-off)."""
    u, s, vt = np.linalg.svd(x, full_matrices=False)
    keep = s > max(x.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0)
    inv = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
    coef = vt.T @ (inv[:, None] * (u.T @ ys))  # (p, k)
    resid = ys - x @ coef
    dof = max(x.shape[0] - int(keep.sum()), 1)
    s2 = np.sum(resid * resid, axis=0) / dof  # (k,)
    diag = (vt.T**2) @ (inv**2)  # diag of V S+^2 V^T
    return coef, np.sqrt(np.maximum(np.outer(diag, s2), 0.0))


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


def audit(
    pay: np.ndarray,
    attainment: np.ndarray,
    role: list[str] | np.ndarray,
    quota: np.ndarray,
    group: list[str] | np.ndarray,
    max_gap: float,
) -> Audit | None:
    """The audit, or None when there are fewer than two groups."""
    group = np.asarray(group, dtype=object)
    role = np.asarray(role, dtype=object)
    names = np.unique(group)
    if names.size < 2:
        return None
    ref, others, x, first_group = design_matrix(role, quota, group)
    coef, se = _ols(x, np.column_stack([np.asarray(pay, dtype=float), np.asarray(attainment, dtype=float)]))
    pay_coef, pay_se, att_coef = coef[:, 0], se[:, 0], coef[:, 1]
    is_ref = group == ref
    ref_pay, ref_att = float(np.mean(pay[is_ref])), float(np.mean(attainment[is_ref]))
    gaps = []
    for j, g in enumerate(others):
        member = group == g
        adj = float(pay_coef[first_group + j]) / ref_pay
        gaps.append(
            GroupGap(
                group=g,
                reps=int(member.sum()),
                raw_pay_gap=float(np.mean(pay[member])) / ref_pay - 1.0,
                adjusted_pay_gap=adj,
                adjusted_pay_gap_se=float(pay_se[first_group + j]) / ref_pay,
                raw_attainment_gap=float(np.mean(attainment[member])) - ref_att,
                adjusted_attainment_gap=float(att_coef[first_group + j]),
                flagged=abs(adj) > max_gap,
            )
        )
    return Audit(reference_group=ref, max_gap=max_gap, gaps=gaps)
