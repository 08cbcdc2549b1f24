"""`manage.py evaluate_recommendations`: the served recommender against baselines, offline,
and day one: new titles and new profiles against what they replace.

The protocols are audience.personalization.evaluation's and cold_start_evaluation's. With
`--write-docs` the tables replace their sections of docs/benchmarks.md between markers.
"""

from __future__ import annotations

import platform
import time
from argparse import ArgumentParser
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audience.models import Profile
from audience.personalization import cold_start_evaluation as cold_start
from audience.personalization import evaluation
from audience.personalization.evaluation import Comparison, Result
from audience.personalization.model import Watched
from audience.personalization.title_features import read_title_features
from audience.personalization.training import model_parameters, read_watched
from config.docs_sections import section_replace

DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
START = "<!-- recommendations-evaluation:start -->"
END = "<!-- recommendations-evaluation:end -->"
HEADING = "## Recommendations: offline evaluation"
DAY_ONE_START = "<!-- recommendations-day-one:start -->"
DAY_ONE_END = "<!-- recommendations-day-one:end -->"
DAY_ONE = "## Recommendations on day one: new titles and new profiles"


class Command(BaseCommand):
    help = (
        "Hide the latest titles of each profile's history "
        f"({evaluation.SPLIT_DESCRIPTION}), train on the rest, rank every title the "
        "profile has not watched and print Recall@10 and NDCG@10 of the served model and of "
        "the baselines (popularity, item-kNN with cosine similarity, EASE). The baselines' "
        "parameters are tuned on a validation split (the same split applied to the training "
        "part). Then day one: new titles held out entirely, ranked by the content model "
        "against genre popularity, the profile's genres and random orders; new profiles cut "
        "to their first 1, 3 and 5 titles, served by the blend against segment popularity "
        "and the fill. Fails (exit status 1) if the served model does not beat every "
        "baseline on both metrics, or if day one loses to its baselines. Reads the database "
        "only."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--split",
            choices=("validation", "test"),
            default="test",
            help="validation: tune and report on the validation split only; test (default): "
            "tune on validation, then report on the test split.",
        )
        parser.add_argument(
            "--part",
            choices=("all", "served", "day-one"),
            default="all",
            help="served: the served model against its baselines; day-one: new titles and "
            "new profiles against theirs; all (default): both.",
        )
        parser.add_argument(
            "--write-docs",
            action="store_true",
            help=f"Write the tables into {DOCS.name}, between {START} and {END}.",
        )

    def handle(self, *args: object, **options: Any) -> None:
        self._verbosity: int = options["verbosity"]
        watched = read_watched()
        self._progress(f"Read {len(watched):,} (profile, title) pairs")
        failures = []
        if options["part"] in ("all", "served"):
            failures += self._served(watched, split=options["split"], docs=options["write_docs"])
        if options["part"] in ("all", "day-one"):
            failures += self._day_one(watched, docs=options["write_docs"])
        if failures:
            raise CommandError(" ".join(failures))

    def _served(self, watched: Watched, *, split: str, docs: bool) -> list[str]:
        started = time.perf_counter()
        test_split = evaluation.temporal_split(watched)
        if len(test_split.hidden) == 0:
            raise CommandError(
                f"Nothing to evaluate: no profile has {evaluation.MIN_TITLES_TO_HIDE} titles "
                "or more in its history."
            )
        validation = self._compare(
            "validation",
            evaluation.temporal_split(test_split.training),
            knn_neighbours=evaluation.KNN_NEIGHBOURS,
            ease_l2=evaluation.EASE_L2,
        )
        reported = validation
        if split == "test":
            reported = self._compare(
                "test",
                test_split,
                knn_neighbours=[validation.knn_neighbours],
                ease_l2=[validation.ease_l2],
            )
        text = _report(
            test=reported if reported is not validation else None,
            validation=validation,
            pairs=len(watched),
            seconds=time.perf_counter() - started,
        )
        self.stdout.write(text)
        if docs:
            section_replace(DOCS, start=START, end=END, text=text, heading=HEADING)
            self.stdout.write(f"Wrote the tables into {DOCS}")
        if reported.served_beats_every_baseline():
            return []
        return [
            f"The served model does not beat every baseline on the {split} split on both "
            "Recall@10 and NDCG@10."
        ]

    def _day_one(self, watched: Watched, *, docs: bool) -> list[str]:
        started = time.perf_counter()
        features = read_title_features()
        segments = {
            profile_id: (region, age_band)
            for profile_id, region, age_band in Profile.objects.values_list(
                "id", "region", "age_band"
            )
        }
        parameters = model_parameters()
        try:
            new_titles = cold_start.evaluate_new_titles(
                watched, features, parameters, self._progress
            )
            new_profiles = cold_start.evaluate_new_profiles(
                watched, segments, parameters, self._progress
            )
        except cold_start.NothingToEvaluate as error:
            raise CommandError(f"Nothing to evaluate on day one: {error}") from error
        text = _day_one_report(
            new_titles, new_profiles, pairs=len(watched), seconds=time.perf_counter() - started
        )
        self.stdout.write(text)
        if docs:
            section_replace(DOCS, start=DAY_ONE_START, end=DAY_ONE_END, text=text, heading=DAY_ONE)
        failures = []
        if not new_titles.content_wins():
            failures.append(
                "The content model does not beat genre popularity, the profile's genres and "
                "random orders on NDCG@10 for new titles."
            )
        if not new_profiles.blend_wins():
            failures.append(
                "The blend for new profiles does not beat segment popularity and the fill on "
                "NDCG@10 at every cut."
            )
        return failures

    def _compare(
        self,
        split_name: str,
        split: evaluation.Split,
        *,
        knn_neighbours: Sequence[int],
        ease_l2: Sequence[float],
    ) -> Comparison:
        self._progress(f"{split_name.capitalize()} split: {len(split.hidden):,} titles hidden")
        return evaluation.compare(
            split,
            knn_neighbours=knn_neighbours,
            ease_l2=ease_l2,
            served_parameters=model_parameters(),
            progress=self._progress,
        )

    def _progress(self, message: str) -> None:
        if self._verbosity >= 1:
            self.stderr.write(message)


def _report(*, test: Comparison | None, validation: Comparison, pairs: int, seconds: float) -> str:
    command = "manage.py evaluate_recommendations" + ("" if test else " --split validation")
    lines = [
        _measured(command, seconds=seconds, pairs=pairs),
        "",
        f"Split: {evaluation.SPLIT_DESCRIPTION}; the validation split is the same split of "
        "the test split's training part. Every title a profile has not watched in training "
        "is ranked; the vocabulary is every title watched in training.",
        "",
    ]
    if test is not None:
        lines += ["Test split:", "", *_table(test.best), ""]
    lines += [
        "Validation split, every parameter value tried (item-kNN's k and EASE's λ are "
        "chosen by NDCG@10 here):",
        "",
        *_table(validation.tried),
    ]
    return "\n".join(lines) + "\n"


def _measured(command: str, *, seconds: float, pairs: int) -> str:
    return (
        f"Measured on {timezone.localdate().isoformat()}, "
        f"{platform.processor() or platform.machine()}, "
        f"by `{command}` in {seconds:.0f} s, over {pairs:,} watched (profile, title) pairs."
    )


def _table(results: list[Result]) -> list[str]:
    lines = [
        "| model | parameters | Recall@10 | NDCG@10 | profiles |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {result.model} | {result.parameters} | {result.recall:.4f} | {result.ndcg:.4f} "
        f"| {result.profiles:,} |"
        for result in results
    ]
    return lines


def _day_one_report(
    new_titles: cold_start.NewTitlesReport,
    new_profiles: cold_start.NewProfilesReport,
    *,
    pairs: int,
    seconds: float,
) -> str:
    weights = ", ".join(f"{k} {v:.3f}" for k, v in new_titles.weights.items() if v > 0)
    lines = [
        _measured(
            "manage.py evaluate_recommendations --part day-one", seconds=seconds, pairs=pairs
        ),
        "",
        f"New titles: the {new_titles.titles} titles with at least "
        f"{cold_start.NEW_TITLE_MIN_VIEWERS} viewers first watched latest lose all "
        f"{new_titles.viewings:,} of their viewings; everything is learnt without them. "
        f"Content-to-viewing weights: {weights} (correlation with the observed co-viewing "
        f"cosine {new_titles.fit_correlation:.3f}); scale to EASE {new_titles.scale:.4f}.",
        "",
        "Ranking the held-out titles for the profiles that watched them (the New on the "
        "service row):",
        "",
        *_rows_table(new_titles.row),
        "",
        f"The served list of {cold_start.SERVED_LIST} (Recall@30 and NDCG@30 of the held-out "
        "titles; known titles scored by the served model):",
        "",
        *_rows_table(new_titles.served),
        "",
        f"New profiles: profiles with at least {cold_start.NEW_PROFILE_MIN_TITLES} titles, "
        f"one in {cold_start.FOLDS} by id, left out of training and cut to their first 1, 3 "
        f"and 5 titles, asked for their next {cold_start.NEXT_TITLES}; another fifth chose "
        f"the blend (prior {new_profiles.blend.prior:g} titles, neighbours' weight "
        f"{new_profiles.blend.neighbour_weight:g}).",
        "",
    ]
    for cut, rows in new_profiles.cuts.items():
        lines += [f"First {cut} title{'s' if cut > 1 else ''}:", "", *_rows_table(rows), ""]
    return "\n".join(lines)


def _rows_table(rows: list[cold_start.Row]) -> list[str]:
    return [
        "| method | Recall | NDCG | profiles |",
        "| --- | --- | --- | --- |",
        *(
            f"| {row.method} | {row.recall:.4f} | {row.ndcg:.4f} | {row.profiles:,} |"
            for row in rows
        ),
    ]
