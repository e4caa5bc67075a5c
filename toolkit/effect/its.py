"""Interrupted time series: did one unit's monthly NAV figures jump or bend when the practice started?

With a single unit there is no comparison group, so the counterfactual is the unit's own pre-practice trend,
projected forward. Segmented regression (Wagner et al. 2002) fits

    y_t = β0 + β1·t + β2·post_t + β3·(t − t0)·post_t + month-of-year terms + ε_t

where β2 is the immediate change in level at the interruption t0 and β3 the change in the monthly trend.
Monthly figures are autocorrelated (a high month is followed by a high month), which makes ordinary standard
errors too small. Two corrections, both from statsmodels:

* ``errors="ar1"`` (default): feasible GLS with AR(1) errors (``GLSAR``, iterated Cochrane–Orcutt). On the
  synthetic series (108 months, AR(1) ρ = 0.5, 24 months after the interruption) its 95% intervals covered the
  planted level change in 94% of 200 draws and the slope change in 92.5%.
* ``errors="hac"``: OLS with Newey–West (HAC) standard errors, the textbook choice, robust to any form of
  autocorrelation, but in series this short its intervals are too narrow: 81.5% / 79% coverage in the same
  200 draws (more lags made it worse). Use it when the AR(1) model is clearly wrong (e.g. strong seasonal
  autocorrelation left after the month terms).

The design is weaker than a difference-in-differences (anything else that changed at t0 is confounded with the
practice); the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm

from toolkit.effect.did import pyplot, single_threaded_blas
from toolkit.errors import InputDataError


@dataclass
class ItsResult:
    """Level and slope change at the interruption, with HAC intervals, and the fitted series."""

    coefficients: (
        pd.DataFrame
    )  # term (level_change / slope_change / pre_slope), estimate, std_error, ci_low, ci_high, p_value
    fitted: pd.DataFrame  # month, observed, fitted, counterfactual, post
    interruption: str
    unit: str | None
    outcome: str
    maxlags: int
    n_months: int
    n_pre: int
    n_post: int
    seasonal: bool
    errors: str = "ar1"
    rho: float = float("nan")

    def term(self, name: str) -> pd.Series:
        return self.coefficients.set_index("term").loc[name]

    @property
    def level_change(self) -> float:
        return float(self.term("level_change")["estimate"])

    @property
    def slope_change(self) -> float:
        return float(self.term("slope_change")["estimate"])

    @property
    def error_model(self) -> str:
        if self.errors == "hac":
            return f"OLS with Newey–West SEs, {self.maxlags} lags"
        return f"GLS with AR(1) errors, ρ = {self.rho:.2f}"

    def summary(self) -> str:
        lv, sl = self.term("level_change"), self.term("slope_change")
        return (
            f"Interrupted time series of '{self.outcome}'{f' in {self.unit}' if self.unit else ''} at "
            f"{self.interruption} "
            f"({self.n_pre} months before, {self.n_post} after; {self.error_model}"
            f"{', month-of-year terms' if self.seasonal else ''}):\n"
            f"  level change {lv.estimate:.2f} (95% CI {lv.ci_low:.2f} to {lv.ci_high:.2f}, p = "
            f"{lv.p_value:.3g})\n"
            f"  slope change {sl.estimate:.3f} per month (95% CI {sl.ci_low:.3f} to {sl.ci_high:.3f}, p = "
            f"{sl.p_value:.3g})"
        )

    def plot(self, *, ax: Any = None, title: str | None = None) -> Any:
        """Observed months, the fitted segments and the projected pre-practice trend (dashed)."""
        plt = pyplot()

        if ax is None:
            fig, ax = plt.subplots(figsize=(8, 4))
        else:
            fig = ax.figure
        f = self.fitted
        x = pd.PeriodIndex(f["month"], freq="M").to_timestamp()
        ax.plot(x, f["observed"], "o", ms=3, color="0.45", label="observed")
        ax.plot(x, f["fitted"], color="C0", label="fitted")
        post = f["post"].to_numpy(dtype=bool)
        ax.plot(x[post], f["counterfactual"][post], "--", color="C1", label="trend without the practice")
        ax.axvline(pd.Period(self.interruption, freq="M").to_timestamp(), color="grey", lw=0.8)
        ax.set_ylabel(self.outcome)
        ax.set_title(title or f"Interrupted time series{f' — {self.unit}' if self.unit else ''}")
        ax.legend()
        return fig


def newey_west_lags(n: int) -> int:
    """The usual automatic lag length ⌊4·(n/100)^(2/9)⌋ (Newey & West 1994), at least 1."""
    return max(1, int(np.floor(4 * (n / 100) ** (2 / 9))))


def interrupted_time_series(
    series: pd.DataFrame,
    *,
    time: str = "maaned",
    outcome: str = "antall",
    interruption: str,
    unit_column: str | None = None,
    unit: str | None = None,
    seasonal: bool | None = None,
    errors: Literal["ar1", "hac"] = "ar1",
    maxlags: int | None = None,
    alpha: float = 0.05,
    source: Any = None,
) -> ItsResult:
    """Segmented regression of a monthly series on a level and slope change at ``interruption`` (``YYYY-MM``).

    ``series`` has one row per month (``time`` as ``YYYY-MM`` or a date). When it holds several units, give
    ``unit_column`` and ``unit`` to pick one. ``seasonal`` adds month-of-year terms (default: when there are
    at
    least 24 months). ``errors`` picks the autocorrelation correction (see the module docstring); ``maxlags``
    (HAC only) defaults to :func:`newey_west_lags`. Needs at least 8 months on each side.
    """
    if errors not in ("ar1", "hac"):
        raise ValueError(f"errors must be 'ar1' or 'hac', got {errors!r}")
    file = source if source is not None else "<series>"
    _check_columns(series, [time, outcome] + ([unit_column] if unit_column else []), file)
    frame, unit = _one_unit(series, unit_column, unit, file)
    months = _months(frame[time], time, file)
    t0 = _interruption_month(interruption, file)
    data = _monthly_values(months, frame[outcome], time, file)
    seasonal = len(data) >= 24 if seasonal is None else seasonal
    exog = _design(data["month"], t0, seasonal=seasonal, file=file)
    lags = newey_west_lags(len(data)) if maxlags is None else int(maxlags)
    fit, rho = _fit(data["y"].to_numpy(dtype=float), exog, errors, lags)
    params = pd.Series(np.asarray(fit.params), index=exog.columns)
    post = exog["level_change"].to_numpy()
    return ItsResult(
        coefficients=_coefficients(fit, exog.columns, alpha),
        fitted=_fitted_series(data, exog, params, post),
        interruption=str(t0),
        unit=None if unit is None else str(unit),
        outcome=outcome,
        maxlags=lags,
        n_months=len(data),
        n_pre=int((post == 0).sum()),
        n_post=int(post.sum()),
        seasonal=bool(seasonal),
        errors=errors,
        rho=rho,
    )


def _check_columns(series: pd.DataFrame, columns: list[str], file: Any) -> None:
    """Every named column must be in the series."""
    for col in columns:
        if col not in series.columns:
            raise InputDataError(
                f"column '{col}' is not in the series (columns: {', '.join(map(str, series.columns))})",
                file=file,
                fix="set phase3.series_time / series_outcome to the series' column names",
            )


def _one_unit(
    series: pd.DataFrame, unit_column: str | None, unit: str | None, file: Any
) -> tuple[pd.DataFrame, str | None]:
    """The rows of one unit, and which unit (the only one when ``unit`` is not given)."""
    if unit_column is None:
        return series, unit
    codes = series[unit_column].astype("string").str.strip()
    if unit is None:
        if codes.nunique() > 1:
            raise InputDataError(
                f"the series holds {codes.nunique()} units in column '{unit_column}'; say which one to "
                f"analyse",
                file=file,
                fix="set phase3.series_unit to the unit's code (e.g. 3401)",
            )
        unit = str(codes.iloc[0])
    frame = series.loc[(codes == str(unit)).to_numpy()]
    if frame.empty:
        raise InputDataError(
            f"unit '{unit}' has no rows in column '{unit_column}' of the series",
            file=file,
            fix="set phase3.series_unit to a code that is in the series",
        )
    return frame, unit


def _months(values: pd.Series, time: str, file: Any) -> pd.PeriodIndex:
    """The time column as monthly periods (``YYYY-MM`` or dates)."""
    try:
        return pd.PeriodIndex(pd.to_datetime(values.astype("string"), format="mixed"), freq="M")
    except (ValueError, TypeError):
        raise InputDataError(
            f"column '{time}' must hold months as YYYY-MM (or dates)",
            file=file,
            fix="write months like 2023-01",
        ) from None


def _interruption_month(interruption: str, file: Any) -> pd.Period:
    """The month the practice started, from ``YYYY-MM`` (or anything pandas reads as a month)."""
    try:
        return pd.Period(str(interruption), freq="M")
    except (ValueError, TypeError):
        raise InputDataError(
            f"the interruption '{interruption}' is not a month",
            file=file,
            fix="write phase3.interruption as YYYY-MM",
        ) from None


def _monthly_values(months: pd.PeriodIndex, outcome: pd.Series, time: str, file: Any) -> pd.DataFrame:
    """``month, y`` in month order, months without a number left out; a month may appear only once."""
    y = pd.to_numeric(outcome, errors="coerce").to_numpy(dtype=float)
    data = pd.DataFrame({"month": months, "y": y}).dropna()
    if data["month"].duplicated().any():
        raise InputDataError(
            f"a month appears twice in column '{time}'",
            file=file,
            fix="keep one row per month (and per unit)",
        )
    return data.sort_values("month").reset_index(drop=True)


def _design(months: pd.Series, t0: pd.Period, *, seasonal: bool, file: Any) -> pd.DataFrame:
    """The segmented-regression design: constant, time, level and slope change at ``t0``, month-of-year terms.

    Refuses a series with fewer than 8 months on either side of the interruption.
    """
    t = np.array([(m - months.iloc[0]).n for m in months], dtype=float)
    t_int = float((t0 - months.iloc[0]).n)
    post = (t >= t_int).astype(float)
    n_pre, n_post = int((post == 0).sum()), int(post.sum())
    if n_pre < 8 or n_post < 8:
        raise InputDataError(
            f"the series has {n_pre} months before and {n_post} after {t0}; at least 8 on each side are "
            f"needed",
            file=file,
            fix="check phase3.interruption and that the series covers the months around it",
        )
    exog = pd.DataFrame({"const": 1.0, "time": t, "level_change": post, "slope_change": (t - t_int) * post})
    if not seasonal:
        return exog
    month_of_year = pd.get_dummies(
        pd.Categorical(months.dt.month, categories=range(1, 13)),
        prefix="m",
        drop_first=True,
        dtype=float,
    )
    return pd.concat([exog, month_of_year.set_index(exog.index)], axis=1)


def _fit(y: np.ndarray, exog: pd.DataFrame, errors: str, lags: int) -> tuple[Any, float]:
    """OLS with Newey–West errors (``hac``) or GLS with AR(1) errors (``ar1``); the fit and the AR(1) ρ."""
    with single_threaded_blas():
        if errors == "hac":
            fit = sm.OLS(y, exog).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True})
            return fit, float("nan")
        model = sm.GLSAR(y, exog, rho=1)
        fit = model.iterative_fit(maxiter=20, rtol=1e-6)
        return fit, float(np.squeeze(model.rho))


def _coefficients(fit: Any, terms: pd.Index, alpha: float) -> pd.DataFrame:
    """Level change, slope change and the pre-practice slope: estimate, SE, interval, p-value."""
    ci = pd.DataFrame(np.asarray(fit.conf_int(alpha=alpha)), index=terms)
    params = pd.Series(np.asarray(fit.params), index=terms)
    bse = pd.Series(np.asarray(fit.bse), index=terms)
    pvalues = pd.Series(np.asarray(fit.pvalues), index=terms)
    rows = [
        {
            "term": name,
            "estimate": float(params[term]),
            "std_error": float(bse[term]),
            "ci_low": float(ci.loc[term].iloc[0]),
            "ci_high": float(ci.loc[term].iloc[1]),
            "p_value": float(pvalues[term]),
        }
        for term, name in (
            ("level_change", "level_change"),
            ("slope_change", "slope_change"),
            ("time", "pre_slope"),
        )
    ]
    return pd.DataFrame(rows)


def _fitted_series(
    data: pd.DataFrame, exog: pd.DataFrame, params: pd.Series, post: np.ndarray
) -> pd.DataFrame:
    """Observed, fitted and counterfactual (no level or slope change) values per month."""
    counterfactual_exog = exog.copy()
    counterfactual_exog[["level_change", "slope_change"]] = 0.0
    return pd.DataFrame(
        {
            "month": data["month"].astype(str).to_numpy(),
            "observed": data["y"].to_numpy(),
            "fitted": exog.to_numpy() @ params.to_numpy(),
            "counterfactual": counterfactual_exog.to_numpy() @ params.to_numpy(),
            "post": post.astype(bool),
        }
    )
