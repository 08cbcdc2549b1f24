"""`manage.py backtest_greenlight`: the greenlight scorecard replayed on history.

Every sample movie released in the training and test years is scored as of a cut-off a
year before its release (`production.greenlight.backtest`), the weights and thresholds
are fitted on the training years (`production.greenlight.backtest_evaluation`), and the
scorecard and its single-signal baselines are measured on both. Prints the tables, saves
the fitted figures as JSON, and with `--write-docs` writes them and a plot into the docs.
Reads the database only.
"""

from __future__ import annotations

import csv
import json
import math
import platform
import time
from argparse import ArgumentParser, ArgumentTypeError
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from audience.figures import sample_time_shift
from config.docs_sections import section_replace
from production.greenlight import scoring
from production.greenlight.backtest import SECTIONS, ReplayedTitle, replay, sample_movies
from production.greenlight.backtest_evaluation import (
    CURRENT,
    FITTED,
    RANDOM,
    TEST,
    TRAIN,
    BacktestResult,
    baseline_name,
    evaluate,
)
from production.greenlight.backtest_metrics import scorecard_score
from production.greenlight.backtest_outcomes import (
    LEAD_YEARS,
    OUTCOME_MONTHS,
    OUTCOMES,
    PRIMARY_OUTCOME,
    Timeline,
)
from production.greenlight.track_record import TRACK_RECORD_FILE, track_record_save

BASE_DIR = Path(settings.BASE_DIR)
DOCS = BASE_DIR / "docs" / "benchmarks.md"
PLOT = BASE_DIR / "docs" / "images" / "greenlight-backtest.png"
RESULTS = BASE_DIR / ".bench" / "greenlight-backtest.json"
START = "<!-- greenlight-backtest:start -->"
END = "<!-- greenlight-backtest:end -->"
HEADING = "## Greenlight scorecard: backtest"
TRAIN_YEARS = (1998, 2002)
# The fit ranks by the first outcome: viewers in the months after release.
FITTED_OUTCOME_MONTHS = OUTCOME_MONTHS[0]
TEST_YEARS = (2004, 2014)


def year_range(text: str) -> tuple[int, int]:
    """`1998-2003` as (1998, 2003)."""
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError as error:
        raise ArgumentTypeError(f"expected FIRST-LAST, e.g. 1998-2003, not {text!r}") from error
    if not 1900 <= first <= last <= 2100:
        raise ArgumentTypeError(f"expected FIRST-LAST with FIRST <= LAST, not {text!r}")
    return first, last


class Command(BaseCommand):
    help = (
        "Replay the greenlight scorecard on the sample movies of the training and test "
        "release years, each as of a cut-off a year before its release; fit the weights and "
        "thresholds on the training years; print Spearman correlations and hit rates of the "
        "scorecard (current and fitted weights) and of each single-signal baseline, per "
        "outcome and period. Reads the database only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--train-years", type=year_range, default=TRAIN_YEARS)
        parser.add_argument("--test-years", type=year_range, default=TEST_YEARS)
        parser.add_argument(
            "--results", type=Path, default=RESULTS, help="Where the fitted figures go (JSON)."
        )
        parser.add_argument(
            "--track-record",
            type=Path,
            default=TRACK_RECORD_FILE,
            help="With --write-docs, where the scorecard's track record goes: the test-year "
            "figures of the scoring in use, which staff see beside every scorecard.",
        )
        parser.add_argument(
            "--titles",
            type=Path,
            help="Also write every replayed movie's section points, score and outcomes (CSV).",
        )
        parser.add_argument(
            "--write-docs",
            action="store_true",
            help=f"Write the tables into {DOCS.name}, between {START} and {END}, and the "
            f"plot {PLOT.name} into docs/images.",
        )

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        train_years, test_years = options["train_years"], options["test_years"]
        latest_train = latest_training_year(test_years[0])
        if train_years[1] > latest_train:
            raise CommandError(
                f"The training years must end by {latest_train}: a {train_years[1]} movie's "
                f"first {FITTED_OUTCOME_MONTHS} months are viewing after the cut-off of a "
                f"{test_years[0]} movie ({LEAD_YEARS} year before its release), so the fit "
                "would know what the test years could not."
            )
        shift = sample_time_shift()
        movies = sample_movies(range(train_years[0], test_years[1] + 1))
        movies = [m for m in movies if _in(m.year, train_years) or _in(m.year, test_years)]
        if not movies:
            raise CommandError("No sample movie was released in those years.")
        with tqdm(
            total=len(movies),
            desc="titles",
            unit="title",
            file=self.stderr,
            disable=options["verbosity"] < 1,
        ) as progress:
            titles = replay(movies, timeline=Timeline(shift), on_title=progress.update)
        result = evaluate(titles, train_years=train_years, test_years=test_years)
        seconds = time.perf_counter() - started
        text = report(result, shift_days=shift.total_seconds() / 86400, seconds=seconds)
        self.stdout.write(text)
        _save(options["results"], result, shift.total_seconds())
        self.stdout.write(f"Saved the fitted figures to {options['results']}")
        if options["titles"]:
            _save_titles(options["titles"], titles, result)
        if options["write_docs"]:
            # matplotlib is a development dependency: imported only to draw.
            from production.greenlight.backtest_plot import score_against_outcome_plot

            section_replace(DOCS, start=START, end=END, text=text, heading=HEADING)
            score_against_outcome_plot(result, PLOT)
            track_record_save(result.track_record(timezone.localdate()), options["track_record"])
            self.stdout.write(
                f"Wrote the tables into {DOCS}, the plot to {PLOT} and the scorecard's track "
                f"record to {options['track_record']}"
            )


def latest_training_year(first_test_year: int) -> int:
    """The last release year whose fitted outcome is all seen before the earliest test
    cut-off (1 January, LEAD_YEARS before the first test year)."""
    outcome_years = math.ceil(FITTED_OUTCOME_MONTHS / 12)
    return first_test_year - LEAD_YEARS - outcome_years


def _in(year: int, years: tuple[int, int]) -> bool:
    return years[0] <= year <= years[1]


def _save(path: Path, result: BacktestResult, shift_seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = {
        "measured_on": timezone.localdate().isoformat(),
        "scoring_version": scoring.SCORING_VERSION,
        "train_years": list(result.train_years),
        "test_years": list(result.test_years),
        "demand_signal": result.demand_signal,
        "current_weights": result.current_weights,
        "weights": result.weights,
        "current_thresholds": {
            "greenlight_from": scoring.GREENLIGHT_FROM,
            "pass_below": scoring.PASS_BELOW,
        },
        "thresholds": asdict(result.thresholds),
        "outcome": PRIMARY_OUTCOME,
        "test_spearman": {
            method: _finite(result.result(method, TEST).spearman[PRIMARY_OUTCOME][0])
            for method in (CURRENT, FITTED)
        },
        "test_calibration": {
            method: [_finite_dict(asdict(band)) for band in bands]
            for method, bands in result.calibration.items()
        },
        "time_shift_seconds": shift_seconds,
    }
    path.write_text(json.dumps(figures, indent=2) + "\n")


def _save_titles(path: Path, titles: list[ReplayedTitle], result: BacktestResult) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        header = ["title_id", "name", "year", "cut_off", *SECTIONS]
        writer.writerow([*header, "score_current", "score_fitted", *OUTCOMES])
        for title in titles:
            points = title.points(result.demand_signal)
            writer.writerow(
                [title.title_id, title.name, title.year, title.cut_off.isoformat()]
                + ["" if points[s] is None else f"{points[s]:.6f}" for s in SECTIONS]
                + [
                    f"{scorecard_score(points, result.current_weights):.6f}",
                    f"{scorecard_score(points, result.weights):.6f}",
                ]
                + ["" if title.outcomes[o] is None else title.outcomes[o] for o in OUTCOMES]
            )


def _finite(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else value


def _finite_dict(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _finite(v) if isinstance(v, float) else v for k, v in values.items()}


# ---------------------------------------------------------------------------------------
# The report, in Markdown


def report(result: BacktestResult, *, shift_days: float, seconds: float) -> str:
    train, test = result.periods[TRAIN], result.periods[TEST]
    lines = [
        f"Measured on {timezone.localdate().isoformat()}, "
        f"{platform.processor() or platform.machine()}, by `manage.py backtest_greenlight` "
        f"in {seconds:.0f} s, over {train.titles + test.titles:,} sample movies (released "
        "movies with a MovieLens id).",
        "",
        f"Split by release year: weights and thresholds fitted on "
        f"{_years(result.train_years)} ({train.titles:,} movies), reported on "
        f"{_years(result.test_years)} ({test.titles:,} movies); training ends by "
        f"{latest_training_year(result.test_years[0])}, so that no training outcome is "
        "viewing after a test movie's cut-off. A movie is released on 1 "
        f"January of its year and scored as of {LEAD_YEARS} year before; the sample's "
        f"events sit {shift_days:,.2f} days after the real dates (the import's shift, "
        "recovered from a stored event). The outcome the scorecard predicts is "
        f"**{OUTCOMES[PRIMARY_OUTCOME]}** after release; the others are reported beside it. "
        f"Demand (no target segments): {result.demand_signal!r}, chosen on the training years.",
        "",
        *_weights_table(result),
        "",
        *_coverage_table(result),
        "",
        "Spearman correlation of each score with each outcome, and the hit rates on the "
        "first outcome (top half: above the median of the movie's release year):",
        "",
        *_results_table(result),
        "",
        f"Calibration on the test years ({OUTCOMES[PRIMARY_OUTCOME]}):",
        "",
        *_calibration_table(result),
        "",
        f"![Score against {OUTCOMES[PRIMARY_OUTCOME]} on the test years]"
        "(images/greenlight-backtest.png)",
        "",
        *_verdict(result),
    ]
    return "\n".join(lines) + "\n"


def _years(years: tuple[int, int]) -> str:
    return f"{years[0]}-{years[1]}"


def _weights_table(result: BacktestResult) -> list[str]:
    thresholds = result.thresholds
    return [
        "| weights | " + " | ".join(SECTIONS) + " | greenlight from | pass below |",
        "| --- |" + " --- |" * (len(SECTIONS) + 2),
        "| current | "
        + " | ".join(f"{result.current_weights[s]:.2f}" for s in SECTIONS)
        + f" | {scoring.GREENLIGHT_FROM:.0f} | {scoring.PASS_BELOW:.0f} |",
        "| fitted on the training years | "
        + " | ".join(f"{result.weights[s]:.2f}" for s in SECTIONS)
        + f" | {thresholds.greenlight_from:.1f} | {thresholds.pass_below:.1f} |",
    ]


def _coverage_table(result: BacktestResult) -> list[str]:
    lines = [
        "| period | movies | " + " | ".join(f"with {s}" for s in SECTIONS) + " | decidable |",
        "| --- | --- |" + " --- |" * (len(SECTIONS) + 1),
    ]
    for period, facts in result.periods.items():
        counts = " | ".join(f"{facts.with_data[s]:,}" for s in SECTIONS)
        lines.append(f"| {period} | {facts.titles:,} | {counts} | {facts.decidable:,} |")
    return lines


def _results_table(result: BacktestResult) -> list[str]:
    lines = [
        "| score | years | " + " | ".join(OUTCOMES.values()) + " | greenlit: top half | "
        "passed: bottom half |",
        "| --- | --- |" + " --- |" * (len(OUTCOMES) + 2),
    ]
    for period in (TRAIN, TEST):
        first = result.result(CURRENT, period)
        counts = " | ".join(f"n={first.spearman[o][1]:,}" for o in OUTCOMES)
        top = result.periods[period].in_top_half
        lines.append(
            f"| *movies with the outcome; base rates* | {period} | {counts} "
            f"| {_share(top)} | {_share(1 - top)} |"
        )
        for method in _methods():
            found = result.result(method, period)
            rhos = " | ".join(_number(found.spearman[o][0]) for o in OUTCOMES)
            hits = found.hits
            lines.append(
                f"| {method} | {period} | {rhos} "
                f"| {_share(hits.greenlit_in_top_half)} of {hits.greenlit:,} "
                f"| {_share(hits.passed_in_bottom_half)} of {hits.passed:,} |"
            )
    return lines


def _calibration_table(result: BacktestResult) -> list[str]:
    lines = [
        "| score band | movies | in top half | median outcome | movies (fitted) | "
        "in top half (fitted) | median outcome (fitted) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for current, fitted in zip(
        result.calibration[CURRENT], result.calibration[FITTED], strict=True
    ):
        band = (
            f"{current.low:.0f}+"
            if math.isinf(current.high)
            else f"{current.low:.0f}-{current.high:.0f}"
        )
        lines.append(
            f"| {band} | {current.titles:,} | {_share(current.in_top_half)} "
            f"| {_number(current.median_outcome, 1)} | {fitted.titles:,} "
            f"| {_share(fitted.in_top_half)} | {_number(fitted.median_outcome, 1)} |"
        )
    return lines


def _verdict(result: BacktestResult) -> list[str]:
    baselines = [baseline_name(section) for section in SECTIONS]
    lines = []
    for method in (FITTED, CURRENT):
        rho, _ = result.result(method, TEST).spearman[PRIMARY_OUTCOME]
        beaten = [b for b in baselines if result.beats(b, method=method)]
        lost = [b for b in baselines if b not in beaten]
        verdict = (
            "beats every single-signal baseline"
            if not lost
            else f"does **not** beat {', '.join(lost)}"
        )
        lines.append(
            f"- On the test years the {method} (Spearman {_number(rho)} with "
            f"{OUTCOMES[PRIMARY_OUTCOME]}) {verdict}"
            + (f"; it beats {', '.join(beaten)}." if lost and beaten else ".")
        )
    return lines


def _methods() -> list[str]:
    return [CURRENT, FITTED, *(baseline_name(section) for section in SECTIONS), RANDOM]


def _number(value: float, digits: int = 3) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


def _share(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{100 * value:.0f} %"
