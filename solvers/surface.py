"""The rep response surface, in JAX.

One rep, one role plan. Attainment (fraction of quota) is ``X = m + sigma * eps`` with
``eps ~ N(0, 1)``; the rep controls the mean ``m = mu + k * e`` through effort ``e`` at cost
``d * e**2 / 2`` (USD). Only ``c = d / k**2`` (USD per unit attainment squared) matters for the
choice, so the surface works in attainment space: the rep maximises

    V(m) = CE(m) - c * (m - mu)**2 / 2,      CE(m) = E[w] - (r / 2) Var[w]

where ``w`` is pay under the plan's payout curve (below), ``r`` the Arrow-Pratt risk aversion
(1/USD). ``CE`` is the mean-variance certainty equivalent: exact for CARA preferences with normal
pay and the standard second-order approximation otherwise. ``E[w]`` and ``Var[w]`` are exact
closed forms (truncated-normal partial moments on each linear piece of the payout curve), so
``V`` is smooth in the plan and in ``m`` although ``w`` itself has kinks and a step.

Payout curve (levers, per role; see ``LEVERS``)::

    X <  t            w = B
    t <= X < 1        w = B + s (X - t),           s = TI (1 - q) / (1 - t)
    1 <= X < cap      w = B + TI + s a (X - 1)     (commission to 100% plus the quota bonus q TI)
    X >= cap          w = B + TI + s a (cap - 1)

B base, TI target incentive (pay at 100% minus base), t threshold, q quota-bonus share of TI,
a accelerator (multiplier of the commission slope above 100%), cap (attainment where pay stops
growing). The commission slope ``s`` is derived, so OTE = B + TI holds for every plan.

Effort choice. ``V`` can have two local maxima (a "give up" mode below a threshold or step
bonus, and a "go for quota" mode). A hard arg-max jumps between them as the plan moves, making
firm metrics discontinuous. We smooth on purpose (design.md section 3): the rep picks among
its two best local optima by a logit with temperature ``tau`` (USD). When both exist, each
mode's weight also carries the factor ``exp(-b0 / B)``, ``B = V(m*) - V(m_valley)`` the mode's
barrier (USD) over the valley between the two modes, so a mode fades out smoothly as it
approaches a fold (where it is born or dies, B -> 0) instead of popping in or out. The barrier,
not the curvature at the mode, is what decides: a mode with a tiny basin (a wiggle of V worth
cents, which a grid may or may not resolve) can still be sharply curved, and with a curvature
fade such a mode carried up to ~20% of the weight and made the surface jump when the grid
caught or missed it. Modes and the valley are located on a grid, refined by safeguarded Newton,
and differentiated by the implicit-function theorem (``jax.custom_jvp``), which keeps forward
mode available for the block-sparse Jacobians.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

LEVERS: tuple[str, ...] = (
    "base_usd",
    "target_incentive_usd",
    "threshold_attainment",
    "quota_bonus_share",
    "accelerator",
    "cap_attainment",
)
N_LEVERS = len(LEVERS)

GRID_POINTS = 48  # grid for locating effort modes (static: part of the JIT shape)
NEWTON_STEPS = 20  # at most, per mode (bisection alone would shrink the bracket 2**20-fold)
NEWTON_TOL = 1e-10  # |V'(m)| <= tol * c: m within about 1e-10 of the stationary point
BARRIER_USD = 50.0  # b0: a mode whose barrier to the other is B USD has fade exp(-b0 / B)
_BARRIER_FLOOR = BARRIER_USD / 1000.0  # below it the fade is exactly 0 (exp(-1000)), derivatives too
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


class RepParams(NamedTuple):
    """Per-rep behaviour parameters (scalars for one rep, or arrays under vmap)."""

    mu: jax.Array  # baseline attainment (fraction of quota) at zero incentive effort
    sigma: jax.Array  # sd of attainment noise (fraction of quota), > 0
    cost: jax.Array  # c = d / k**2, USD per (unit attainment)**2, > 0
    risk: jax.Array  # Arrow-Pratt risk aversion, 1/USD, >= 0
    outside: jax.Array  # outside option, USD certainty equivalent per year
    productivity: jax.Array  # k, attainment per unit effort (only to report effort)


class ModelConstants(NamedTuple):
    temperature_usd: jax.Array  # logit temperature between effort modes
    attrition_scale_usd: jax.Array  # logistic scale of attrition in (outside - welfare)


class RepOutcome(NamedTuple):
    attainment: jax.Array  # E[max(X, 0)]
    pay: jax.Array  # E[w], USD
    welfare: jax.Array  # mode-weighted V, USD
    attrition: jax.Array  # P(leave) = sigmoid((outside - welfare) / scale)
    effort: jax.Array  # mode-weighted effort (m - mu) / k
    give_up: jax.Array  # weight on the lower-attainment mode when two modes exist


def ndtr(z: jax.Array) -> jax.Array:
    """Standard normal CDF, accurate in the lower tail (upper tails are taken as ndtr(-z))."""
    return 0.5 * jax.lax.erfc(-z * (1.0 / math.sqrt(2.0)))


def _phi(z: jax.Array) -> jax.Array:
    return jnp.exp(-0.5 * z * z) * _INV_SQRT_2PI


class _Edge(NamedTuple):
    """Standard-normal quantities at one breakpoint ``b`` of the payout curve, z = (b - m) / sigma."""

    z: jax.Array
    pdf: jax.Array  # phi(z)
    below: jax.Array  # P(Z < z), accurate in the lower tail
    above: jax.Array  # P(Z >= z), accurate in the upper tail


def _edge(b: jax.Array, m: jax.Array, sigma: jax.Array) -> _Edge:
    """One erfc per breakpoint: the small tail is computed directly, the other as 1 - tail.

    ``sign`` is piecewise constant (derivative zero), so the value and its derivatives are
    those of ``ndtr`` on both sides, including z = 0.
    """
    z = (b - m) / sigma
    sign = jnp.where(z < 0.0, -1.0, 1.0)
    tail = 0.5 * jax.lax.erfc(sign * z * (1.0 / math.sqrt(2.0)))  # P(Z >= |z|)
    below = jnp.where(z < 0.0, tail, 1.0 - tail)
    above = jnp.where(z < 0.0, 1.0 - tail, tail)
    return _Edge(z, _phi(z), below, above)


def _interval_moments(sigma: jax.Array, lo: _Edge, hi: _Edge | None) -> tuple[jax.Array, jax.Array, jax.Array]:
    """P(lo <= X < hi), E[(X - m) 1{.}], E[(X - m)**2 1{.}] for X ~ N(m, sigma**2)."""
    if hi is None:
        prob = lo.above
        return prob, sigma * lo.pdf, sigma**2 * (prob + lo.z * lo.pdf)
    # Difference of upper tails is accurate when both limits are above the mean.
    prob = jnp.where(lo.z > 0.0, lo.above - hi.above, hi.below - lo.below)
    prob = jnp.maximum(prob, 0.0)
    m1 = sigma * (lo.pdf - hi.pdf)
    m2 = sigma**2 * (prob + lo.z * lo.pdf - hi.z * hi.pdf)
    return prob, m1, m2


def commission_slope(lev: jax.Array) -> jax.Array:
    """USD of commission per unit attainment between threshold and 100%."""
    ti, t, q = lev[1], lev[2], lev[3]
    return ti * (1.0 - q) / (1.0 - t)


def pay_moments_with_slope(
    lev: jax.Array, m: jax.Array, sigma: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """E[w], Var[w] and their exact derivatives in m (USD, USD**2, per unit attainment).

    Variable pay is linear, y = a0 + beta (X - m), on [t, 1), [1, cap) and [cap, inf) (zero
    below t). For X = m + sigma eps, d/dm E[f(X)] = E[f'(X)] + sum over jumps of f of jump *
    pdf(jump point). Variable pay jumps only at 100% (by the quota bonus q TI), from TI (1 - q)
    to TI. The three breakpoints are evaluated once and shared by the pieces on either side.
    """
    ti, t, q, acc, cap = lev[1], lev[2], lev[3], lev[4], lev[5]
    s = commission_slope(lev)
    e_t, e_1, e_cap = _edge(t, m, sigma), _edge(jnp.ones_like(m), m, sigma), _edge(cap, m, sigma)
    pieces = (
        (e_t, e_1, s * (m - t), s),
        (e_1, e_cap, ti + s * acc * (m - 1.0), s * acc),
        (e_cap, None, ti + s * acc * (cap - 1.0), jnp.zeros_like(m)),
    )
    ey = jnp.zeros_like(m)
    ey2 = jnp.zeros_like(m)
    dey = jnp.zeros_like(m)
    eyy = jnp.zeros_like(m)  # E[y y']
    for lo, hi, a0, beta in pieces:
        prob, m1, m2 = _interval_moments(sigma, lo, hi)
        first = a0 * prob + beta * m1
        ey = ey + first
        ey2 = ey2 + a0 * a0 * prob + 2.0 * a0 * beta * m1 + beta * beta * m2
        dey = dey + beta * prob
        eyy = eyy + beta * first
    density_at_quota = e_1.pdf / sigma
    dey = dey + q * ti * density_at_quota
    dey2 = 2.0 * eyy + ti * ti * (1.0 - (1.0 - q) ** 2) * density_at_quota
    var = jnp.maximum(ey2 - ey * ey, 0.0)
    dvar = dey2 - 2.0 * ey * dey
    return lev[0] + ey, var, dey, dvar


def pay_moments(lev: jax.Array, m: jax.Array, sigma: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Exact mean and variance of pay (USD) when attainment ~ N(m, sigma**2)."""
    mean, var, _, _ = pay_moments_with_slope(lev, m, sigma)
    return mean, var


def expected_attainment(m: jax.Array, sigma: jax.Array) -> jax.Array:
    """E[max(X, 0)]: revenue cannot be negative."""
    z = m / sigma
    return m * ndtr(z) + sigma * _phi(z)


def rep_value(m: jax.Array, lev: jax.Array, p: RepParams) -> jax.Array:
    """The rep's objective V(m) = CE - effort cost, USD."""
    mean, var = pay_moments(lev, m, p.sigma)
    return mean - 0.5 * p.risk * var - 0.5 * p.cost * (m - p.mu) ** 2


def _dV(m: jax.Array, lev: jax.Array, p: RepParams) -> jax.Array:
    """dV/dm in closed form (tests check it against autodiff of ``rep_value``)."""
    _, _, dmean, dvar = pay_moments_with_slope(lev, m, p.sigma)
    return dmean - 0.5 * p.risk * dvar - p.cost * (m - p.mu)


def _d2V(m: jax.Array, lev: jax.Array, p: RepParams) -> jax.Array:
    return jax.jvp(lambda x: _dV(x, lev, p), (m,), (jnp.ones_like(m),))[1]


def _grid(lev: jax.Array, p: RepParams) -> jax.Array:
    """Attainment grid that contains every stationary point of V.

    Stationary points satisfy m = mu + CE'(m) / c. E[w]' <= s * max(1, a) + q TI phi_max / sigma;
    the risk term can add to that, so the bound is inflated by 20%. Above ``cap + 6 sigma`` pay
    is flat, so no mode lies beyond it unless mu does.
    """
    s = commission_slope(lev)
    slope_bound = s * jnp.maximum(1.0, lev[4]) + lev[3] * lev[1] * _INV_SQRT_2PI / p.sigma
    reach = 1.2 * slope_bound / p.cost
    hi = p.mu + jnp.minimum(reach, jnp.maximum(lev[5] + 6.0 * p.sigma - p.mu, 0.0)) + 0.02
    lo = p.mu - 0.2 * reach - 0.05
    return jnp.linspace(0.0, 1.0, GRID_POINTS) * (hi - lo) + lo


def _newton(
    lev: jax.Array,
    p: RepParams,
    x0: jax.Array,
    lo: jax.Array,
    hi: jax.Array,
    active: jax.Array | bool = True,
    sign: float = 1.0,
) -> jax.Array:
    """Safeguarded Newton for V'(m) = 0 inside [lo, hi] (bisection when Newton leaves it): a
    local maximum of V (``sign=1``) or, applied to -V (``sign=-1``), a local minimum.

    Stops when |V'| <= NEWTON_TOL * c (m within about 1e-10 of the stationary point) or after
    NEWTON_STEPS steps (a while loop: under vmap it runs until every rep has converged, so
    brackets of modes that do not exist are passed ``active=False`` and not iterated).
    """

    def step(state: tuple[jax.Array, jax.Array, jax.Array, jax.Array, jax.Array]):
        i, x, a, b, _ = state
        g, h = jax.jvp(lambda m: sign * _dV(m, lev, p), (x,), (jnp.ones_like(x),))
        a = jnp.where(g > 0.0, x, a)
        b = jnp.where(g > 0.0, b, x)
        xn = x - g / jnp.where(h < 0.0, h, -1.0)
        ok = (h < 0.0) & (xn >= a) & (xn <= b)
        # Converged points stay put: at round-off level g flips sign, and a bisection step
        # from a stale bracket would throw the solution away.
        done = jnp.abs(g) <= NEWTON_TOL * p.cost
        return i + 1, jnp.where(done, x, jnp.where(ok, xn, 0.5 * (a + b))), a, b, done

    def running(state: tuple[jax.Array, jax.Array, jax.Array, jax.Array, jax.Array]) -> jax.Array:
        return (state[0] < NEWTON_STEPS) & ~state[4]

    init = (jnp.asarray(0), x0, lo, hi, ~jnp.asarray(active))
    return jax.lax.while_loop(running, step, init)[1]


def _implicit_tangent(
    m: jax.Array, lev: jax.Array, p: RepParams, dlev: jax.Array, dp: RepParams, sign: jax.Array | float = 1.0
) -> jax.Array:
    """V'(m*(theta), theta) = 0  =>  dm* = -(dV'/dtheta . dtheta) / V''(m*); V'' kept at least
    1e-9 c away from zero on its side (negative at a maximum, ``sign=1``; positive at a minimum)."""
    _, dg = jax.jvp(lambda lv, pp: _dV(m, lv, pp), (lev, p), (dlev, dp))
    h = sign * jnp.minimum(sign * _d2V(m, lev, p), -1e-9 * p.cost)
    return -dg / h


@jax.custom_jvp
def solve_mode(lev: jax.Array, p: RepParams, x0: jax.Array, lo: jax.Array, hi: jax.Array) -> jax.Array:
    """A local maximiser m* of V in [lo, hi]; derivatives by the implicit-function theorem."""
    return _newton(lev, p, x0, lo, hi)


@solve_mode.defjvp
def _solve_mode_jvp(primals, tangents):  # type: ignore[no-untyped-def]
    lev, p, x0, lo, hi = primals
    m = solve_mode(lev, p, x0, lo, hi)
    return m, _implicit_tangent(m, lev, p, tangents[0], tangents[1])


@jax.custom_jvp
def pinned_point(lev: jax.Array, p: RepParams, m: jax.Array, sign: jax.Array | float) -> jax.Array:
    """The stationary point ``m`` of V located beforehand (``_locate``), as a function of the
    plan and the rep: its value is ``m`` and its derivatives are the implicit-function
    theorem's, to any order (the rule's own output is again a pinned point). ``sign``: 1 at a
    maximum of V (a mode), -1 at a minimum (the valley between two modes); an array under
    ``vmap`` (``two_mode_derivatives_at`` pins modes and valleys in one batch)."""
    return m


@pinned_point.defjvp
def _pinned_point_jvp(primals, tangents):  # type: ignore[no-untyped-def]
    lev, p, m0, sign = primals
    m = pinned_point(lev, p, m0, sign)
    return m, _implicit_tangent(m, lev, p, tangents[0], tangents[1], sign)


def pinned_mode(lev: jax.Array, p: RepParams, m: jax.Array) -> jax.Array:
    """A located maximum of V, pinned (``pinned_point``)."""
    return pinned_point(lev, p, m, 1.0)


def pinned_valley(lev: jax.Array, p: RepParams, m: jax.Array) -> jax.Array:
    """The located minimum of V between two modes, pinned (``pinned_point``)."""
    return pinned_point(lev, p, m, -1.0)


@jax.custom_jvp
def stationary_value(lev: jax.Array, p: RepParams, m: jax.Array) -> jax.Array:
    """V at a stationary point ``m`` of V (a pinned mode or valley). Envelope theorem: since
    V'(m) = 0 its derivative is the partial one at fixed m, so the point's own implicit
    derivative is needed to first order only when V is differentiated twice (the generic chain
    rule would carry it to second order and multiply it by V'(m) = 0)."""
    return rep_value(m, lev, p)


@stationary_value.defjvp
def _stationary_value_jvp(primals, tangents):  # type: ignore[no-untyped-def]
    lev, p, m = primals
    dlev, dp, _ = tangents
    return jax.jvp(lambda lv, pp: rep_value(m, lv, pp), (lev, p), (dlev, dp))


def unrolled_mode(lev: jax.Array, p: RepParams, x0: jax.Array, lo: jax.Array, hi: jax.Array) -> jax.Array:
    """The same solve, differentiated by unrolling the iterations (tests compare the two)."""
    return _newton(lev, p, x0, lo, hi)


def _grid_values(lev: jax.Array, p: RepParams) -> tuple[jax.Array, jax.Array]:
    """The search grid (``_grid``) and V on it."""
    grid = _grid(lev, p)
    return grid, jax.vmap(lambda x: rep_value(x, lev, p))(grid)


def _first_argmax(score: jax.Array) -> jax.Array:
    """``jnp.argmax`` of a grid's scores without NaN (the first index of the largest): a max and
    a min over indices. XLA's CPU arg-max (a reduction over value-index pairs) is not
    vectorised: with it the brackets of a 1,024-rep chunk took 0.42 ms, with this 0.14 ms, as
    long as a chunk's grid values (the same indices: a test compares the two)."""
    top = jnp.max(score)
    return jnp.min(jnp.where(score == top, jnp.arange(GRID_POINTS), GRID_POINTS))


def _brackets(grid: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
    """Brackets (3: start, lo, hi) x (2) of the two best grid local maxima of V, and whether
    the second exists. Two arg-max passes (``top_k`` is several times slower on CPU)."""
    left = jnp.concatenate([jnp.array([-jnp.inf]), v[:-1]])
    right = jnp.concatenate([v[1:], jnp.array([-jnp.inf])])
    is_max = (v >= left) & (v > right)
    score = jnp.where(is_max, v, -jnp.inf)  # no NaN: a NaN value is no local maximum
    first = _first_argmax(score)
    second = _first_argmax(jnp.where(jnp.arange(GRID_POINTS) == first, -jnp.inf, score))
    idx = jnp.stack([first, second])
    exists = jnp.isfinite(score[idx])
    last = GRID_POINTS - 1
    lo = grid[jnp.maximum(idx - 1, 0)]
    hi = grid[jnp.minimum(idx + 1, last)]
    # A maximum on the grid's edge: let the bracket extend one spacing further out.
    spacing = grid[1] - grid[0]
    lo = jnp.where(idx == 0, lo - spacing, lo)
    hi = jnp.where(idx == last, hi + spacing, hi)
    return jnp.stack([grid[idx], lo, hi]), exists


def _two_best_modes(lev: jax.Array, p: RepParams) -> tuple[jax.Array, jax.Array]:
    """Brackets of the two best grid local maxima of V (and whether the second exists)."""
    lev_ng = jax.lax.stop_gradient(lev)
    p_ng = jax.tree_util.tree_map(jax.lax.stop_gradient, p)
    return _brackets(*_grid_values(lev_ng, p_ng))


def _valley(lev: jax.Array, p: RepParams, modes: jax.Array, both: jax.Array, unrolled: bool = False) -> jax.Array:
    """The minimum of V between the two modes (the first mode when there is one)."""
    lo, hi = jnp.minimum(modes[0], modes[1]), jnp.maximum(modes[0], modes[1])
    if unrolled:
        lo, hi = jax.lax.stop_gradient(lo), jax.lax.stop_gradient(hi)
    m = _newton(lev, p, 0.5 * (lo + hi), lo, hi, both, sign=-1.0)
    return jnp.where(both, m, modes[0])


def _first_mode(lev: jax.Array, p: RepParams, brackets: jax.Array, exists: jax.Array) -> jax.Array:
    """The best grid maximum refined by Newton (brackets (3, 2), exists (2,) from ``_brackets``)."""
    return _newton(lev, p, brackets[0, 0], brackets[1, 0], brackets[2, 0], exists[0])


def _second_mode(
    lev: jax.Array, p: RepParams, brackets: jax.Array, found: jax.Array, first: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """After the first mode: the second mode (the bracket's start when ``found`` is False),
    whether it exists, and the valley between the two (the first mode without a second)."""
    second = _newton(lev, p, brackets[0, 1], brackets[1, 1], brackets[2, 1], found)
    # Two grid maxima on one plateau can refine to the same mode: count it once.
    exists = found & ~(jnp.abs(second - first) <= 1e-7)
    return second, exists, _valley(lev, p, jnp.stack([first, second]), exists)


def _refine(lev: jax.Array, p: RepParams, brackets: jax.Array, exists: jax.Array) -> tuple[jax.Array, jax.Array]:
    """The two modes and the valley between them (3,), and whether each mode exists (2,)."""
    first = _first_mode(lev, p, brackets, exists)
    second, found, valley = _second_mode(lev, p, brackets, exists[0] & exists[1], first)
    return jnp.stack([first, second, valley]), jnp.stack([exists[0], found])


def _locate(lev: jax.Array, p: RepParams) -> tuple[jax.Array, jax.Array]:
    """The rep's two best local maximisers of V and the valley between them (3,), and whether
    each mode exists (2,) (no derivatives)."""
    lev = jax.lax.stop_gradient(lev)
    p = jax.tree_util.tree_map(jax.lax.stop_gradient, p)
    return _refine(lev, p, *_brackets(*_grid_values(lev, p)))


def _stationary_points(
    lev: jax.Array, p: RepParams, located: jax.Array, exists: jax.Array, unrolled: bool = False
) -> tuple[jax.Array, jax.Array]:
    """The modes (2,) pinned at the located maximisers and the valley between them (the first
    mode without a second), as functions of the plan (``pinned_mode``, ``pinned_valley``)."""
    both = exists[0] & exists[1]
    if unrolled:
        brackets, _ = _two_best_modes(lev, p)
        modes = jax.vmap(lambda b: unrolled_mode(lev, p, b[0], b[1], b[2]), in_axes=1)(brackets)
        return modes, _valley(lev, p, modes, both, unrolled=True)
    modes = jax.vmap(lambda m: pinned_mode(lev, p, m))(located[:2])
    return modes, jnp.where(both, pinned_valley(lev, p, located[2]), modes[0])


def _mixture_weights(values: jax.Array, valley_value: jax.Array, exists: jax.Array, k: ModelConstants) -> jax.Array:
    """The logit weights (2,) of the modes from their values V (2,) and the valley's."""
    both = exists[0] & exists[1]
    # Barrier of each mode over the valley (0 without a second mode: no fade then, see below).
    barrier = jnp.maximum(values - valley_value, _BARRIER_FLOOR)
    fade = jnp.where(both, jnp.exp(-BARRIER_USD / barrier), 1.0)
    vmax = jax.lax.stop_gradient(jnp.max(jnp.where(exists, values, -jnp.inf)))
    logits = jnp.where(exists, (values - vmax) / k.temperature_usd, -jnp.inf)
    raw = jnp.where(exists, jnp.exp(logits) * fade, 0.0)
    return raw / jnp.maximum(jnp.sum(raw), 1e-300)


def _mixture_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array, unrolled: bool = False
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """Modes pinned at the located maximisers, their values V (2,), logit weights (2,)."""
    modes, valley = _stationary_points(lev, p, located, exists, unrolled)
    values = jax.vmap(lambda x: stationary_value(lev, p, x))(modes)
    weights = _mixture_weights(values, stationary_value(lev, p, valley), exists, k)
    return modes, values, weights, exists


def _mixture(
    lev: jax.Array, p: RepParams, k: ModelConstants, unrolled: bool = False
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """The rep's effort modes (2,), their values V (2,), logit weights (2,) and existence."""
    located, exists = _locate(lev, p)
    return _mixture_at(lev, p, k, located, exists, unrolled)


def _mixture_outcomes(
    att: jax.Array,
    pay: jax.Array,
    values: jax.Array,
    valley_value: jax.Array,
    modes: jax.Array,
    exists: jax.Array,
    p: RepParams,
    k: ModelConstants,
) -> RepOutcome:
    """The rep's outcomes from its modes' expected attainment, pay and V (2,) each, V at the
    valley between them and the modes themselves (2,) (``_stationary_points``)."""
    weights = _mixture_weights(values, valley_value, exists, k)
    welfare = jnp.sum(weights * values)
    attrition = jax.nn.sigmoid((p.outside - welfare) / k.attrition_scale_usd)
    low = jnp.argmin(jnp.where(exists, modes, jnp.inf))
    give_up = jnp.where(jnp.all(exists), weights[low], 0.0)
    return RepOutcome(
        attainment=jnp.sum(weights * att),
        pay=jnp.sum(weights * pay),
        welfare=welfare,
        attrition=attrition,
        effort=jnp.sum(weights * (modes - p.mu)) / p.productivity,
        give_up=give_up,
    )


def _point(lev: jax.Array, p: RepParams, m: jax.Array) -> jax.Array:
    """A stationary point ``m`` of V (pinned: a function of the plan): its expected attainment,
    pay, V and ``m`` itself (4,) (``two_mode_derivatives_at``)."""
    return jnp.stack([expected_attainment(m, p.sigma), pay_moments(lev, m, p.sigma)[0], stationary_value(lev, p, m), m])


def _response_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array, unrolled: bool = False
) -> RepOutcome:
    modes, valley = _stationary_points(lev, p, located, exists, unrolled)
    att = jax.vmap(lambda x: expected_attainment(x, p.sigma))(modes)
    pay = jax.vmap(lambda x: pay_moments(lev, x, p.sigma)[0])(modes)
    values = jax.vmap(lambda x: stationary_value(lev, p, x))(modes)
    return _mixture_outcomes(att, pay, values, stationary_value(lev, p, valley), modes, exists, p, k)


def rep_response(lev: jax.Array, p: RepParams, k: ModelConstants, unrolled: bool = False) -> RepOutcome:
    """Expected outcome of one rep under one role plan (smooth in ``lev`` and ``p``)."""
    return _response_at(lev, p, k, *_locate(lev, p), unrolled)


OUTCOME_FIELDS: tuple[str, ...] = RepOutcome._fields


# Batched kernels. Locating the modes (grid scan and Newton: no derivatives) runs as two
# kernels of its own, and the value/derivative kernels evaluate closed forms at the located
# modes (``pinned_mode``). Why separate kernels: inside one XLA computation the grid values
# were fused into their neighbour comparisons and recomputed (and ``top_k`` is slow on CPU);
# materialising them made locating ~15x cheaper, and the derivative kernels no longer carry a
# while loop through forward-over-forward differentiation.


@jax.jit
def _batch_grid_values(lev: jax.Array, p: RepParams) -> tuple[jax.Array, jax.Array]:
    return jax.vmap(_grid_values)(lev, p)


def second_mode_lanes(n: int) -> int:
    """How many reps of an n-rep chunk ``_batch_refine`` refines a second mode for (compacted)."""
    return max(8, n // 16)


@jax.jit
def _batch_refine(lev: jax.Array, p: RepParams, grid: jax.Array, v: jax.Array) -> tuple[jax.Array, jax.Array]:
    """``_refine`` for every rep of a chunk: the same Newton solves, organised for the batch.

    Newton is a while loop that, vectorised, runs every lane until the slowest converges, so
    the first mode (every rep) runs alone, and the second mode and the valley run only for the
    reps with a second grid maximum (few: 0-2 of 1,000 on M), gathered into
    ``second_mode_lanes`` lanes (all lanes when more have one). The reps without a second mode
    get ``_refine``'s answers for them: the bracket's start and the first mode. On a 1,024-rep
    M chunk 1.75 -> 0.69 ms (modes equal to round-off; tests compare with ``_refine``)."""
    brackets, found = jax.vmap(_brackets)(grid, v)  # (N, 3, 2), (N, 2)
    first = jax.vmap(_first_mode)(lev, p, brackets, found)
    two = found[:, 1]
    lanes = second_mode_lanes(lev.shape[0])

    def gathered(_: None) -> tuple[jax.Array, jax.Array, jax.Array]:
        # the reps with a second grid maximum, the spare lanes on rep 0 (without a second grid
        # maximum its lane computes exactly the defaults; with one, the same answer again). A
        # sort (reps with one first) took 0.07 ms on 1,024 reps, this 0.02
        idx = jnp.nonzero(two, size=lanes, fill_value=0)[0]
        part = jax.vmap(_second_mode)(
            lev[idx], jax.tree_util.tree_map(lambda a: a[idx], p), brackets[idx], two[idx], first[idx]
        )
        defaults = (brackets[:, 0, 1], jnp.zeros_like(two), first)
        return tuple(d.at[idx].set(x) for d, x in zip(defaults, part, strict=True))  # type: ignore[return-value]

    def every(_: None) -> tuple[jax.Array, jax.Array, jax.Array]:
        return jax.vmap(_second_mode)(lev, p, brackets, two, first)  # type: ignore[no-any-return]

    second, exists, valley = jax.lax.cond(jnp.sum(two) <= lanes, gathered, every, None)
    return jnp.stack([first, second, valley], axis=1), jnp.stack([found[:, 0], exists], axis=1)


def batch_locate(lev: jax.Array, p: RepParams) -> tuple[jax.Array, jax.Array]:
    """Per-rep effort modes (N, 2) (stationary points of V, before weighting) and existence."""
    return _batch_refine(lev, p, *_batch_grid_values(lev, p))


def _outcomes_at(lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array) -> jax.Array:
    return jnp.stack(_response_at(lev, p, k, located, exists))


def _single_mode_outcomes(lev: jax.Array, p: RepParams, k: ModelConstants, mode: jax.Array) -> jax.Array:
    """``_outcomes_at`` for a rep with one effort mode (``exists == [True, False]``): its weight
    is exactly 1 and there is no valley, so the outcomes are the mode's own — the same values
    and derivatives, without the second mode and the valley (most reps at most plans: 45 of
    45 on the demo team, 998-1,000 of 1,000 on M)."""
    m = pinned_mode(lev, p, mode)
    value = stationary_value(lev, p, m)
    return jnp.stack(
        [
            expected_attainment(m, p.sigma),
            pay_moments(lev, m, p.sigma)[0],
            value,
            jax.nn.sigmoid((p.outside - value) / k.attrition_scale_usd),
            (m - p.mu) / p.productivity,
            jnp.zeros_like(m),
        ]
    )


@jax.jit
def values_at(lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array) -> jax.Array:
    return jax.vmap(lambda lv, pp, m, e: _outcomes_at(lv, pp, k, m, e))(lev, p, located, exists)


def _lever_jacobian(outcomes: Callable[[jax.Array], jax.Array], lv: jax.Array) -> tuple[jax.Array, jax.Array]:
    """One rep's ``outcomes(levers)`` (6,) and their lever Jacobian (6, 6): one linearisation
    pushed along the 6 lever directions."""
    y, push = jax.linearize(outcomes, lv)
    return y, jax.vmap(push)(jnp.eye(N_LEVERS, dtype=lv.dtype)).T


@jax.jit
def jacobian_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """Outcomes (N, 6) and lever Jacobians (N, 6, 6) at the located modes, forward mode through
    the whole mixture: the reference for the model's first order (tests), and the scan-free
    helpers' (``batch_value_and_jacobian``)."""

    def one(lv: jax.Array, pp: RepParams, m: jax.Array, e: jax.Array) -> tuple[jax.Array, jax.Array]:
        return _lever_jacobian(lambda x: _outcomes_at(x, pp, k, m, e), lv)

    return jax.vmap(one)(lev, p, located, exists)


@jax.jit
def single_mode_jacobian_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array
) -> tuple[jax.Array, jax.Array]:
    """``jacobian_at`` for reps with one effort mode (``_single_mode_outcomes``) at their first
    located mode (``located[:, 0]``, ``batch_locate``'s (N, 3) modes: taken whole, so a caller
    holding them on the device slices nothing there): the same outcomes and Jacobians (tests: to
    1e-12) at 1/2 to 1/4 of the cost (demo block 0.12 vs 0.24 ms, a 1,024-rep chunk 0.69 vs
    2.7 ms)."""

    def one(lv: jax.Array, pp: RepParams, m: jax.Array) -> tuple[jax.Array, jax.Array]:
        return _lever_jacobian(lambda x: _single_mode_outcomes(x, pp, k, m), lv)

    return jax.vmap(one)(lev, p, located[:, 0])


SECOND_ORDER_FIELDS: tuple[str, ...] = ("attainment", "pay", "attrition")
_BASE_LEVER = LEVERS.index("base_usd")
assert _BASE_LEVER == 0  # hessian_at differentiates the levers after it
_SECOND_ORDER_ROWS = tuple(OUTCOME_FIELDS.index(f) for f in SECOND_ORDER_FIELDS)


def _base_terms(hess5: jax.Array, attrition: jax.Array, grad: jax.Array, k: ModelConstants) -> jax.Array:
    """The Hessians (3, 6, 6) of ``SECOND_ORDER_FIELDS`` from their block over the 5 levers after
    base pay (3, 5, 5), the attrition probability and its lever gradient (6,) (``_lever_hessians``
    explains the base entries)."""
    leave = SECOND_ORDER_FIELDS.index("attrition")
    cross = -(1.0 - 2.0 * attrition) / k.attrition_scale_usd * grad  # d2A / dbase dlevers (6,)
    out = jnp.zeros((len(SECOND_ORDER_FIELDS), N_LEVERS, N_LEVERS), dtype=grad.dtype)
    out = out.at[:, 1:, 1:].set(hess5)
    out = out.at[leave, 0, :].set(cross)
    return out.at[leave, :, 0].set(cross)


def _lever_hessians(outcomes: Callable[[jax.Array], jax.Array], lv: jax.Array, k: ModelConstants) -> jax.Array:
    """Hessians (3, 6, 6) of ``SECOND_ORDER_FIELDS`` of one rep's ``outcomes(levers)``.

    Base pay enters additively: it moves V by a constant, so the modes, their weights and
    attainment do not depend on it, pay = base + (terms free of it), and welfare = base +
    (terms free of it). Second derivatives involving base are therefore zero for attainment and
    pay, and for attrition A = sigmoid((outside - welfare) / s) they follow from A and its
    gradient: d2A/dbase dx = -(1 - 2A) / s * dA/dx, with dA/dbase = -A (1 - A) / s. Forward over
    forward runs on the other 5 levers only (25 tangent pairs instead of 36: ~1/3 cheaper; the
    tests compare every entry with differences of the exact Jacobian). The reference kernel's
    (``hessian_at``), forward over forward through the whole mixture."""
    rows = jnp.asarray(_SECOND_ORDER_ROWS)
    leave = SECOND_ORDER_FIELDS.index("attrition")

    def second(rest: jax.Array) -> tuple[jax.Array, jax.Array]:
        y = outcomes(jnp.concatenate([lv[: _BASE_LEVER + 1], rest]))[rows]
        return y, y

    def first(rest: jax.Array) -> tuple[jax.Array, tuple[jax.Array, jax.Array]]:
        jac, y = jax.jacfwd(second, has_aux=True)(rest)
        return jac, (jac, y)

    hess5, (jac5, y) = jax.jacfwd(first, has_aux=True)(lv[_BASE_LEVER + 1 :])  # (3, 5, 5), (3, 5), (3,)
    a, s = y[leave], k.attrition_scale_usd
    grad = jnp.concatenate([jnp.reshape(-a * (1.0 - a) / s, (1,)), jac5[leave]])  # dA/dlevers (6,)
    return _base_terms(hess5, a, grad, k)


# ``_lever_derivatives``' directions (rows, in lever units): each lever alone, then each pair of
# levers after base pay, every lever scaled by ``_LEVER_UNIT`` (its natural size: USD levers in
# 10,000s, the others in units) so that the differences that give the mixed derivatives lose
# no more digits to the levers' units than the derivatives' own round-off.
_LEVER_UNIT = np.array([1e4, 1e4, 1.0, 1.0, 1.0, 1.0])
assert LEVERS[:2] == ("base_usd", "target_incentive_usd")  # the USD levers, first
_PAIRS = tuple((i, j) for i in range(1, N_LEVERS) for j in range(i + 1, N_LEVERS))
_DIRECTIONS = np.concatenate(
    [np.diag(_LEVER_UNIT), np.stack([np.diag(_LEVER_UNIT)[i] + np.diag(_LEVER_UNIT)[j] for i, j in _PAIRS])]
)


def _directional_derivatives(
    fn: Callable[[jax.Array], jax.Array], lv: jax.Array, rows: np.ndarray
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """``fn(levers)`` (K,), its lever Jacobian (K, 6) and the Hessians (len(rows), 5, 5) of its
    ``rows`` over the levers after base pay, from first and second directional derivatives
    along the 16 fixed directions ``_DIRECTIONS`` (``_lever_derivatives`` explains the method)."""

    def along(v: jax.Array) -> tuple[jax.Array, jax.Array]:
        return jax.jvp(lambda x: jax.jvp(fn, (x,), (v,))[1], (lv,), (v,))

    d1, d2 = jax.vmap(along)(jnp.asarray(_DIRECTIONS, dtype=lv.dtype))  # (16, K) each
    # Only ``rows``' second derivatives are wanted, and XLA drops the others' (welfare's through
    # the envelope rule is the dearest) only when they are gathered first, before the directions
    # are split: slicing directions first made the single-mode kernel 13x slower (192 reps: 4.7
    # vs 0.35 ms). The barrier keeps that order whatever XLA's simplifier does.
    d1, d2 = jax.lax.optimization_barrier((d1, d2[:, rows]))  # (16, K), (16, len(rows))
    y = fn(lv)
    jac = (d1[:N_LEVERS] / _LEVER_UNIT[:, None]).T  # (K, 6 levers)
    unit = _LEVER_UNIT[1:]
    diag = d2[1:N_LEVERS]  # (5, len(rows)): the levers after base
    i, j = (np.array([pair[side] - 1 for pair in _PAIRS]) for side in (0, 1))
    mixed = (d2[N_LEVERS:] - diag[i] - diag[j]) / (2.0 * unit[i] * unit[j])[:, None]  # (10, len(rows))
    hess5 = jnp.zeros((len(rows), N_LEVERS - 1, N_LEVERS - 1), dtype=lv.dtype)
    hess5 = hess5.at[:, np.arange(N_LEVERS - 1), np.arange(N_LEVERS - 1)].set((diag / (unit**2)[:, None]).T)
    return y, jac, hess5.at[:, i, j].set(mixed.T).at[:, j, i].set(mixed.T)


def _lever_derivatives(
    outcomes: Callable[[jax.Array], jax.Array], lv: jax.Array, k: ModelConstants
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One rep's ``outcomes(levers)`` (6,), their lever Jacobian (6, 6) and the Hessians
    (3, 6, 6) of ``SECOND_ORDER_FIELDS``, from first and second directional derivatives along
    the 16 fixed directions ``_DIRECTIONS`` (forward over forward along each direction with
    itself): the Jacobian's columns are the single levers' first derivatives, a Hessian's
    diagonal their second ones, and entry (i, j) is (D2(e_i + e_j) - D2(e_i) - D2(e_j)) / 2.
    Base pay's entries as in ``_lever_hessians``.

    Why: the same numbers as ``_lever_jacobian`` plus ``_lever_hessians`` (Jacobians to 1e-16,
    Hessians to 3e-11 of each rep's largest entry in the levers' range units, the two methods'
    own round-off: an exact mixed-pair variant differs from both by 5e-11) at ~1/3.5 of the
    cost on the single-mode kernel (the demo's 4 lock-step starts, 192 reps: 0.30 vs 1.09 ms per
    call, one core, measured alternately). The directions are constants, so XLA folds their zero
    entries out of every tangent; a pair's derivative along (u, v), u != v, costs ~3x more."""
    rows = np.asarray(_SECOND_ORDER_ROWS)
    leave = SECOND_ORDER_FIELDS.index("attrition")
    y, jac, hess5 = _directional_derivatives(outcomes, lv, rows)
    return y, jac, _base_terms(hess5, y[rows][leave], jac[rows][leave], k)


@jax.jit
def hessian_at(lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array) -> jax.Array:
    """Lever Hessians (N, 3, 6, 6) of ``SECOND_ORDER_FIELDS`` at the located modes, forward over
    forward through the whole mixture (``_lever_hessians``): the reference the model's kernels
    are tested against (``single_mode_derivatives_at``, ``two_mode_derivatives_at``), itself
    tested against differences of the exact Jacobian. The model does not run it: it compiled in
    ~23 s for 8 reps and ran 3x slower than the composed two-mode kernel."""

    def one(lv: jax.Array, pp: RepParams, m: jax.Array, e: jax.Array) -> jax.Array:
        return _lever_hessians(lambda x: _outcomes_at(x, pp, k, m, e), lv, k)

    return jax.vmap(one)(lev, p, located, exists)


@jax.jit
def single_mode_derivatives_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Outcomes (N, 6), Jacobians (N, 6, 6) and Hessians (N, 3, 6, 6) of ``SECOND_ORDER_FIELDS``
    of reps with one effort mode (``_single_mode_outcomes``) at their first located mode
    (``located[:, 0]``, as ``single_mode_jacobian_at``; the lock-step pass hands the located
    modes over on the device, where slicing them cost a dispatch, ~0.17 ms): ``hessian_at``'s
    Hessians (tests: to 1e-9), as one implicit mode is differentiated to second order instead
    of two and a valley, by directional derivatives (``_lever_derivatives``).

    The second-order kernel for such reps, run on ``HESSIAN_BLOCK``-rep blocks (and 48-rep
    chunks of small rosters). It returns the first order too, which the second order computes
    on the way, so small rosters (``PlanModel.speculative``) take their first order from it:
    one call per SQP trial, with no second compiled kernel to keep in memory. One core, per
    call: 48 reps 0.125 ms, 192 reps 0.33 ms, 384 reps 0.61 ms (forward over forward on the
    Jacobian before: 0.32 / 1.25 / 2.2 ms; ``single_mode_jacobian_at`` alone: 0.08 / 0.18 /
    0.31 ms)."""

    def one(lv: jax.Array, pp: RepParams, m: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        return _lever_derivatives(functools.partial(_single_mode_outcomes, p=pp, k=k, mode=m), lv, k)

    return jax.vmap(one)(lev, p, located[:, 0])


_POINT_FIELDS = 4  # ``_point``'s quantities


def _point_derivatives(
    lv: jax.Array, p: RepParams, m: jax.Array, sign: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One stationary point's ``_point`` quantities (4,), their lever Jacobian (4, 6) and the
    Hessians (3, 6, 6) of the first three, by directional derivatives. Base pay moves pay and V
    by itself and nothing else, so their second derivatives involving it are zero: the
    Hessians over the other 5 levers are the whole of them."""
    q, jq, h5 = _directional_derivatives(lambda x: _point(x, p, pinned_point(x, p, m, sign)), lv, np.arange(3))
    return q, jq, jnp.zeros((3, N_LEVERS, N_LEVERS), dtype=lv.dtype).at[:, 1:, 1:].set(h5)


def _compose_mixture(
    q: jax.Array, jq: jax.Array, hq: jax.Array, p: RepParams, k: ModelConstants, exists: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """One rep's outcomes (6,), lever Jacobian (6, 6) and Hessians (3, 6, 6) of
    ``SECOND_ORDER_FIELDS`` from its stationary points' quantities q (3 points x 4: the two
    modes, then the valley), their Jacobians (3, 4, 6) and Hessians (3, 3, 6, 6): the mixture
    o = M(q) (``_mixture_outcomes``, a function of 12 numbers) differentiated by forward mode,
    then the chain rule

        J_o = M'(q) J_q,     H_o = sum_a M'(q)_a H_(q_a) + J_q^T M''(q) J_q.

    The points' locations enter effort only, which has no second derivatives here, so their
    own Hessians are not needed."""

    def mixture(flat: jax.Array) -> jax.Array:
        pts = flat.reshape(3, _POINT_FIELDS)
        att, pay, values, modes = pts[:2, 0], pts[:2, 1], pts[:2, 2], pts[:2, 3]
        return jnp.stack(_mixture_outcomes(att, pay, values, pts[2, 2], modes, exists, p, k))

    rows = np.asarray(_SECOND_ORDER_ROWS)
    flat, jflat = q.reshape(-1), jq.reshape(-1, N_LEVERS)  # (12,), (12, 6)
    d1 = jax.jacfwd(mixture)(flat)  # (6, 12)
    d2 = jax.jacfwd(jax.jacfwd(lambda x: mixture(x)[rows]))(flat)  # (3, 12, 12)
    first = d1[rows].reshape(rows.size, 3, _POINT_FIELDS)[:, :, :3]  # (3 outcomes, 3 points, 3 quantities)
    hess = jnp.einsum("rpa,paij->rij", first, hq) + jnp.einsum("ai,rab,bj->rij", jflat, d2, jflat)
    return mixture(flat), d1 @ jflat, hess


@jax.jit
def two_mode_derivatives_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Outcomes (N, 6), Jacobians (N, 6, 6) and Hessians (N, 3, 6, 6) of ``SECOND_ORDER_FIELDS``
    at the located modes, for reps of any kind: ``jacobian_at``'s and ``hessian_at``'s (tests:
    to 1e-9), composed. The 3N stationary points (each rep's two modes and the valley between
    them: ``_stationary_points``) are differentiated as one batch, as the single-mode kernel
    differentiates its one mode per rep (``_point_derivatives``), then each rep's mixture of
    them by the chain rule (``_compose_mixture``), instead of differentiating the whole mixture
    twice. The kernel for the few reps with two effort modes."""
    n = lev.shape[0]
    both = exists[:, 0] & exists[:, 1]
    # lane j * n + i: rep i's point j; without a second mode the valley is the first mode
    m = jnp.concatenate([located[:, 0], located[:, 1], jnp.where(both, located[:, 2], located[:, 0])])
    sign = jnp.concatenate([jnp.ones(2 * n, dtype=lev.dtype), jnp.where(both, -1.0, 1.0).astype(lev.dtype)])
    tile = functools.partial(jnp.concatenate, axis=0)
    q, jq, hq = jax.vmap(_point_derivatives)(
        tile([lev] * 3), jax.tree_util.tree_map(lambda a: tile([a] * 3), p), m, sign
    )
    q, jq, hq = (a.reshape(3, n, *a.shape[1:]).swapaxes(0, 1) for a in (q, jq, hq))
    return jax.vmap(lambda qq, jj, hh, pp, e: _compose_mixture(qq, jj, hh, pp, k, e))(q, jq, hq, p, exists)


@jax.jit
def mixture_at(
    lev: jax.Array, p: RepParams, k: ModelConstants, located: jax.Array, exists: jax.Array
) -> tuple[jax.Array, jax.Array]:
    modes, _, weights, _ = jax.vmap(lambda lv, pp, m, e: _mixture_at(lv, pp, k, m, e))(lev, p, located, exists)
    return modes, weights


def batch_values(lev: jax.Array, p: RepParams, k: ModelConstants) -> jax.Array:
    """Per-rep outcomes (N, 6) in ``OUTCOME_FIELDS`` order, without derivatives (EvaluatePlan)."""
    return values_at(lev, p, k, *batch_locate(lev, p))


def batch_value_and_jacobian(lev: jax.Array, p: RepParams, k: ModelConstants) -> tuple[jax.Array, jax.Array]:
    """Per-rep outcomes (N, 6) and their Jacobian w.r.t. the rep's own levers (N, 6 outcomes,
    6 levers).

    Forward mode through the implicit-function rule: one linearisation per rep, pushed along
    the 6 lever directions. A rep depends only on its own role's levers, so this is the whole
    (block-sparse) Jacobian; firm metrics are segment sums of it.
    """
    return jacobian_at(lev, p, k, *batch_locate(lev, p))


def batch_value_jacobian_hessian(
    lev: jax.Array, p: RepParams, k: ModelConstants
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """Outcomes (N, 6), their lever Jacobian (N, 6, 6) and the lever Hessians (N, 3, 6, 6) of
    the outcomes firm metrics are built from (``SECOND_ORDER_FIELDS``).

    Forward over forward mode: the implicit-function rule of each mode is itself differentiated,
    so the Hessian includes the modes' second-order implicit derivatives (tests compare it with
    differences of the exact Jacobian).
    """
    located = batch_locate(lev, p)
    y, jac = jacobian_at(lev, p, k, *located)
    return y, jac, hessian_at(lev, p, k, *located)


def batch_mixture(lev: jax.Array, p: RepParams, k: ModelConstants) -> tuple[jax.Array, jax.Array]:
    """Per-rep effort modes (N, 2) (mean attainment of each) and their weights (N, 2): the rep
    is in mode j with probability weights[:, j] (Monte Carlo samples this mixture)."""
    return mixture_at(lev, p, k, *batch_locate(lev, p))


JIT_KERNELS = (
    _batch_grid_values,
    _batch_refine,
    values_at,
    jacobian_at,
    single_mode_jacobian_at,
    hessian_at,
    single_mode_derivatives_at,
    two_mode_derivatives_at,
    mixture_at,
)


def compiled_shapes() -> int:
    """Number of compiled (kernel, shape) pairs of the surface so far (tests: no new compiles)."""
    return sum(kernel._cache_size() for kernel in JIT_KERNELS)  # type: ignore[attr-defined]


def payout(lev: jax.Array, x: jax.Array) -> jax.Array:
    """Pay (USD) at realised attainment ``x`` under the payout curve (module docstring)."""
    b, ti, t, acc, cap = lev[..., 0], lev[..., 1], lev[..., 2], lev[..., 4], lev[..., 5]
    s = commission_slope(jnp.moveaxis(lev, -1, 0))
    above = ti + s * acc * (jnp.minimum(x, cap) - 1.0)
    variable = jnp.where(x < t, 0.0, jnp.where(x < 1.0, s * (x - t), above))
    return b + variable
