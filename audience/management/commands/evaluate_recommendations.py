"""`manage.py evaluate_recommendations`: the served recommender against baselines, offline.

The protocol is audience.personalization.evaluation's. With `--write-docs` the tables
replace the section of docs/benchmarks.md between its markers.
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

from audience.personalization import evaluation
from audience.personalization.evaluation import Comparison, Result
from audience.personalization.training import model_parameters, read_watched
from config.docs_sections import section_replace

DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
START = "<!-- recommendations-evaluation:start -->"
END = "<!-- recommendations-evaluation:end -->"
HEADING = "## Recommendations: offline evaluation"


class Command(BaseCommand):
    help = (
        "Hide the latest titles of each profile's history "
        f"({evaluation.SPLIT_DESCRIPTION}), train on the rest, rank every title the "
        "profile has not watched and print Recall@10 and NDCG@10 of the served model and of "
        "the baselines (popularity, item-kNN with cosine similarity, EASE). The baselines' "
        "parameters are tuned on a validation split (the same split applied to the training "
        "part). Fails (exit status 1) if the served model does not beat every baseline on "
        "both metrics. Reads the database only."
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
            "--write-docs",
            action="store_true",
            help=f"Write the tables into {DOCS.name}, between {START} and {END}.",
        )

    def handle(self, *args: object, **options: Any) -> None:
        started = time.perf_counter()
        self._verbosity: int = options["verbosity"]
        watched = read_watched()
        self._progress(f"Read {len(watched):,} (profile, title) pairs")
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
        if options["split"] == "test":
            reported = self._compare(
                "test",
                test_split,
                knn_neighbours=[validation.knn_neighbours],
                ease_l2=[validation.ease_l2],
            )
        seconds = time.perf_counter() - started
        text = _report(
            test=reported if reported is not validation else None,
            validation=validation,
            pairs=len(watched),
            seconds=seconds,
        )
        self.stdout.write(text)
        if options["write_docs"]:
            _write_docs(text)
            self.stdout.write(f"Wrote the tables into {DOCS}")
        if not reported.served_beats_every_baseline():
            raise CommandError(
                f"The served model does not beat every baseline on the {options['split']} "
                "split on both Recall@10 and NDCG@10."
            )

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
        f"Measured on {timezone.localdate().isoformat()}, "
        f"{platform.processor() or platform.machine()}, "
        f"by `{command}` in {seconds:.0f} s, over {pairs:,} watched (profile, title) pairs.",
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


def _write_docs(report: str) -> None:
    """Replace the section between the markers; add it, with its heading, if missing."""
    section_replace(DOCS, start=START, end=END, text=report, heading=HEADING)
