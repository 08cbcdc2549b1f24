"""`manage.py evaluate_recommendations`: the temporal split, the metrics, and the table."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from django.core.management import CommandError, call_command

from audience.management.commands import evaluate_recommendations
from audience.models import RatingValue, ViewingEvent
from audience.personalization.evaluation import (
    Comparison,
    Result,
    as_histories,
    ranking_metrics,
    temporal_split,
    top_columns,
)
from audience.personalization.model import Watched
from audience.personalization.training import read_watched
from tests.factories import (
    CrewCreditFactory,
    EpisodeFactory,
    GenreFactory,
    PersonFactory,
    ProfileFactory,
    RatingFactory,
    TitleFactory,
    ViewingEventFactory,
)

MODELS = (
    "popularity",
    "item-kNN, cosine",
    "EASE",
    "served: recency- and rating-weighted EASE",
)


def watched(pairs: list[tuple[int, int, int, int]]) -> Watched:
    """(profile, title, last watched, rating) rows as arrays."""
    columns = np.array(pairs, dtype=np.int64).reshape(-1, 4).T
    return Watched(*(column.copy() for column in columns))


def pairs_of(part: Watched) -> set[tuple[int, int]]:
    return set(zip(part.profile_ids.tolist(), part.item_ids.tolist(), strict=True))


# The split ------------------------------------------------------------------------------


def test_the_split_hides_the_latest_fifth_of_each_profile_with_five_titles_or_more() -> None:
    # Given a profile with 10 titles, one with 5 and one with 4, watched at times 1, 2, ...
    history = watched(
        [(1, 100 + t, t, 0) for t in range(1, 11)]
        + [(2, 200 + t, t, 0) for t in range(1, 6)]
        + [(3, 300 + t, t, 0) for t in range(1, 5)]
    )

    # When it is split
    split = temporal_split(history)

    # Then the 2 latest of the first, the latest of the second and none of the third are hidden
    assert pairs_of(split.hidden) == {(1, 110), (1, 109), (2, 205)}
    assert pairs_of(split.training) == pairs_of(history) - pairs_of(split.hidden)


def test_a_tie_in_time_hides_the_lower_title_id_as_the_later_one() -> None:
    # Given five titles, the last three watched in the same second
    history = watched([(1, 5, 1, 0), (1, 4, 2, 0), (1, 9, 3, 0), (1, 7, 3, 0), (1, 8, 3, 0)])

    # When it is split
    split = temporal_split(history)

    # Then the lowest id of the tie counts as the latest, as the served histories order them
    assert pairs_of(split.hidden) == {(1, 7)}


def test_training_positions_are_counted_again_and_hidden_ratings_never_reach_training() -> None:
    # Given five titles, the latest (hidden) one loved and an earlier one thumbed down
    history = watched(
        [
            (1, 11, 1, RatingValue.THUMBS_DOWN),
            (1, 12, 2, 0),
            (1, 13, 3, RatingValue.THUMBS_UP),
            (1, 14, 4, 0),
            (1, 15, 5, RatingValue.LOVE),
        ]
    )

    # When the training part becomes the recommender's histories
    training = as_histories(temporal_split(history).training)

    # Then title 14 is the latest (position 0), and only the training ratings weigh
    by_title = dict(zip(training.item_ids.tolist(), training.positions.tolist(), strict=True))
    weight = dict(zip(training.item_ids.tolist(), training.preference.tolist(), strict=True))
    assert by_title == {14: 0, 13: 1, 12: 2, 11: 3}
    assert weight == {14: 1.0, 13: 1.0, 12: 1.0, 11: pytest.approx(0.3)}


# Ranking and metrics ----------------------------------------------------------------------


def test_ranking_leaves_out_watched_titles_and_pads_when_too_few_remain() -> None:
    # Given 4 titles' scores for two profiles, the first having watched title column 1
    scores = np.array([[0.1, 0.9, 0.5, 0.3], [0.4, 0.3, 0.2, 0.1]], dtype=np.float32)
    watched_columns = sp.csr_matrix(np.array([[0, 1, 0, 0], [0, 0, 0, 0]], dtype=np.float32))

    # When the top 5 are taken
    ranked = top_columns(scores, watched_columns, k=5)

    # Then best first, without the watched title, padded with -1
    assert ranked.tolist() == [[2, 3, 0, -1, -1], [0, 1, 2, 3, -1]]


def test_a_perfect_ranking_has_recall_and_ndcg_of_one() -> None:
    hidden = sp.csr_matrix(np.array([[0, 1, 1, 0]], dtype=np.float32))

    recall, ndcg = ranking_metrics(np.array([[2, 1, 0, 3]]), hidden, np.array([2]))

    assert recall.tolist() == [1.0]
    assert ndcg.tolist() == [pytest.approx(1.0)]


def test_a_hit_in_second_place_scores_one_over_log2_of_three() -> None:
    hidden = sp.csr_matrix(np.array([[0, 0, 1, 0]], dtype=np.float32))

    recall, ndcg = ranking_metrics(np.array([[0, 2, 1, 3]]), hidden, np.array([1]))

    assert recall.tolist() == [1.0]
    assert ndcg.tolist() == [pytest.approx(1 / np.log2(3))]


def test_a_hidden_title_outside_the_vocabulary_counts_as_a_miss() -> None:
    # Given two hidden titles, only one of which any model can rank, found first
    hidden = sp.csr_matrix(np.array([[1, 0, 0]], dtype=np.float32))

    recall, ndcg = ranking_metrics(np.array([[0, 1, 2]]), hidden, np.array([2]))

    # Then half of them were found, and the ideal ranking had both on top
    assert recall.tolist() == [0.5]
    assert ndcg.tolist() == [pytest.approx(1 / (1 + 1 / np.log2(3)))]


def test_recall_divides_by_the_cutoff_when_more_titles_are_hidden() -> None:
    # Given 12 hidden titles, and a top 10 that finds 5 of them
    hidden = sp.csr_matrix(np.r_[np.ones(12), np.zeros(12)].reshape(1, -1).astype(np.float32))
    ranked = np.array([[0, 12, 1, 13, 2, 14, 3, 15, 4, 16]])

    recall, _ = ranking_metrics(ranked, hidden, np.array([12]))

    assert recall.tolist() == [0.5]


@pytest.mark.parametrize(
    ("served_recall", "served_ndcg", "beats"),
    [(0.3, 0.3, True), (0.3, 0.2, False), (0.2, 0.3, False)],
)
def test_the_served_model_must_beat_every_baseline_on_both_metrics(
    served_recall: float, served_ndcg: float, beats: bool
) -> None:
    # Given baselines at 0.1 and 0.2 (EASE) on both metrics
    comparison = Comparison(
        best=[
            Result(MODELS[0], "", 0.1, 0.1, 9),
            Result(MODELS[1], "", 0.1, 0.1, 9),
            Result(MODELS[2], "", 0.2, 0.2, 9),
            Result(MODELS[3], "", served_recall, served_ndcg, 9),
        ],
        tried=[],
    )

    # Then a tie with EASE on either metric is not a win
    assert comparison.served_beats_every_baseline() is beats


# From the database -------------------------------------------------------------------------


def test_an_episode_counts_for_its_series_with_the_latest_time_and_the_rating(
    db: None,
) -> None:
    # Given a profile that watched two episodes of a series, rated the series, and a movie
    profile = ProfileFactory()
    first, second = EpisodeFactory(), EpisodeFactory()
    second.parent = first.parent
    second.save()
    series = first.parent.parent
    movie = TitleFactory()
    at = datetime(2026, 5, 1, 20, tzinfo=UTC)
    for title, started_at in ((first, at), (second, at + timedelta(days=1)), (movie, at)):
        ViewingEventFactory(profile=profile, title=title, started_at=started_at)
    RatingFactory(profile=profile, title=series, value=RatingValue.LOVE)

    # When the histories are read
    history = read_watched()

    # Then the series is one title, last watched with the second episode, and loved
    rows = sorted(
        zip(
            history.item_ids.tolist(),
            history.last_watched.tolist(),
            history.ratings.tolist(),
            strict=True,
        )
    )
    assert rows == sorted(
        [
            (series.pk, int((at + timedelta(days=1)).timestamp()), RatingValue.LOVE),
            (movie.pk, int(at.timestamp()), 0),
        ]
    )


CHAIN_TITLES, PROFILES, WATCHED_PER_PROFILE = 80, 30, 50


@pytest.fixture
def audience_watching_in_order(db: None) -> None:
    """Titles form a chain: each profile watches 50 consecutive ones, in chain order.

    Who just watched title n watches n + 1 next: only the order says which end of a
    profile's run continues, which is what the served model's recency weights read.
    """
    titles = TitleFactory.create_batch(CHAIN_TITLES)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for number, profile in enumerate(ProfileFactory.create_batch(PROFILES)):
        first = number * (CHAIN_TITLES - WATCHED_PER_PROFILE) // (PROFILES - 1)
        for step in range(WATCHED_PER_PROFILE):
            events.append(
                ViewingEventFactory.build(
                    profile=profile,
                    title=titles[first + step],
                    started_at=start + timedelta(hours=step),
                )
            )
    ViewingEvent.objects.bulk_create(events)


def table_rows(output: str, heading: str) -> dict[str, tuple[float, float, int]]:
    """The (Recall@10, NDCG@10, profiles) of each model in the table under `heading`."""
    table = output.split(heading, 1)[1].split("\n\n", 2)[1]
    rows = {}
    for line in [line for line in table.splitlines() if line.startswith("|")][2:]:
        model, _, recall, ndcg, profiles = (cell.strip() for cell in line.strip("|").split("|"))
        rows[model] = (float(recall), float(ndcg), int(profiles.replace(",", "")))
    return rows


def test_the_command_prints_every_model_and_the_served_one_wins_on_a_watching_order(
    audience_watching_in_order: None,
) -> None:
    # Given profiles watching runs of a chain of titles, in order
    # When the command evaluates the models
    stdout = StringIO()
    call_command("evaluate_recommendations", "--part=served", stdout=stdout, stderr=StringIO())

    # Then both tables list every model, over every profile, with figures in [0, 1]
    output = stdout.getvalue()
    assert "temporal, per profile: the latest 20% of each profile's titles" in output
    test_rows = table_rows(output, "Test split:")
    assert tuple(test_rows) == MODELS
    validation_models = set(table_rows(output, "Validation split"))
    assert validation_models == set(MODELS)
    for recall, ndcg, profiles in test_rows.values():
        assert 0.0 <= recall <= 1.0
        assert 0.0 <= ndcg <= 1.0
        assert profiles == PROFILES
    # and the served model finds the continuation the others mistake for the beginning
    served_recall, served_ndcg, _ = test_rows[MODELS[3]]
    assert all(served_recall > recall for recall, _, _ in list(test_rows.values())[:3])
    assert all(served_ndcg > ndcg for _, ndcg, _ in list(test_rows.values())[:3])


def test_writing_the_docs_replaces_only_the_section_between_the_markers(
    audience_watching_in_order: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a benchmarks page with an old evaluation section between its markers
    docs = tmp_path / "benchmarks.md"
    start, end = evaluate_recommendations.START, evaluate_recommendations.END
    docs.write_text(f"# Benchmarks\n\nBefore.\n\n{start}\nold figures\n{end}\n\nAfter.\n")
    monkeypatch.setattr(evaluate_recommendations, "DOCS", docs)

    # When the command writes the docs for the validation split
    call_command(
        "evaluate_recommendations",
        "--part=served",
        "--split",
        "validation",
        "--write-docs",
        stdout=StringIO(),
        stderr=StringIO(),
    )

    # Then only the section changed, and it holds the validation table
    text = docs.read_text()
    assert text.startswith(f"# Benchmarks\n\nBefore.\n\n{start}\nMeasured on ")
    assert text.endswith(f"{end}\n\nAfter.\n")
    assert "old figures" not in text
    assert "Test split:" not in text
    assert tuple(table_rows(text, "Validation split"))[-1] == MODELS[3]


def test_writing_the_docs_adds_the_section_when_the_page_has_none(
    audience_watching_in_order: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\nOther figures.\n")
    monkeypatch.setattr(evaluate_recommendations, "DOCS", docs)

    call_command(
        "evaluate_recommendations",
        "--part=served",
        "--split=validation",
        "--write-docs",
        stdout=StringIO(),
        stderr=StringIO(),
    )

    text = docs.read_text()
    heading = "\n\n## Recommendations: offline evaluation\n\n"
    assert text.startswith(f"# Benchmarks\n\nOther figures.{heading}")
    assert f"{heading}{evaluate_recommendations.START}\nMeasured on " in text
    assert text.endswith(f"{evaluate_recommendations.END}\n")


def test_the_command_fails_when_no_profile_has_enough_history(db: None) -> None:
    # Given a profile with four titles only
    profile = ProfileFactory()
    for title in TitleFactory.create_batch(4):
        ViewingEventFactory(profile=profile, title=title)

    # When the command runs, then it fails and says why
    with pytest.raises(CommandError, match="no profile has 5 titles or more"):
        call_command("evaluate_recommendations", stdout=StringIO(), stderr=StringIO())


# Day one: new titles and new profiles -------------------------------------------------

GENRES, DIRECTORS, TITLES_PER_TASTE, PROFILES_PER_TASTE, TITLES_WATCHED = 4, 2, 18, 15, 16


@pytest.fixture
def tastes_by_genre_and_director(db: None) -> None:
    """Eight tastes, a genre and a director each: a profile watches 16 of its taste's 18
    titles in order (from the first, second or third), everyone on the same timeline, so
    the last titles of each taste are first watched latest. Every profile is in the same
    segment, so the segment's popularity cannot tell tastes apart."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for genre in GenreFactory.create_batch(GENRES):
        for director in PersonFactory.create_batch(DIRECTORS):
            titles = [TitleFactory(genres=[genre]) for _ in range(TITLES_PER_TASTE)]
            for title in titles:
                CrewCreditFactory(title=title, person=director)
            for number, profile in enumerate(ProfileFactory.create_batch(PROFILES_PER_TASTE)):
                first = number % (TITLES_PER_TASTE - TITLES_WATCHED + 1)
                for step in range(first, first + TITLES_WATCHED):
                    events.append(
                        ViewingEventFactory.build(
                            profile=profile,
                            title=titles[step],
                            started_at=start + timedelta(hours=step, minutes=number),
                        )
                    )
    ViewingEvent.objects.bulk_create(events)


def day_one_tables(output: str) -> dict[str, dict[str, tuple[float, float, int]]]:
    """Every day-one table by the line that introduces it: method -> (recall, NDCG, profiles)."""
    tables: dict[str, dict[str, tuple[float, float, int]]] = {}
    heading = ""
    for block in output.split("\n\n"):
        if block.startswith("| method"):
            rows = {}
            for line in block.splitlines()[2:]:
                method, recall, ndcg, profiles = (c.strip() for c in line.strip("|").split("|"))
                rows[method] = (float(recall), float(ndcg), int(profiles.replace(",", "")))
            tables[heading] = rows
        else:
            heading = block.strip().splitlines()[-1]
    return tables


def test_day_one_new_titles_are_ranked_by_what_their_metadata_says_of_their_viewers(
    tastes_by_genre_and_director: None,
) -> None:
    # Given tastes that a title's genre and director describe
    # When the command evaluates day one
    stdout = StringIO()
    call_command("evaluate_recommendations", "--part=day-one", stdout=stdout, stderr=StringIO())

    # Then the content model ranks the held-out titles above every baseline
    tables = day_one_tables(stdout.getvalue())
    (row,) = [rows for heading, rows in tables.items() if heading.startswith("Ranking")]
    content, *baselines = row.values()
    assert next(iter(row)) == "content model (the New on the service row)"
    assert all(content[1] > baseline[1] for baseline in baselines)
    assert content[1] > 0.5  # its own taste's new titles first
    # and the served list reaches new titles the list of known titles could not
    (served,) = [rows for heading, rows in tables.items() if heading.startswith("The served")]
    today, *with_new = served.values()
    assert today[0] == 0.0
    assert max(recall for recall, _, _ in with_new) > 0.0


def test_day_one_new_profiles_get_the_blend_which_beats_their_segment_and_the_fill(
    tastes_by_genre_and_director: None,
) -> None:
    stdout = StringIO()
    call_command("evaluate_recommendations", "--part=day-one", stdout=stdout, stderr=StringIO())

    tables = day_one_tables(stdout.getvalue())
    for cut in ("First 1 title:", "First 3 titles:", "First 5 titles:"):
        rows = tables[cut]
        blend = rows["served: EASE blended with the segment and the titles' neighbours"]
        assert blend[2] == 24  # one profile in five (by id) of the 120
        assert blend[1] > rows["segment popularity (region, age band)"][1]
        assert blend[1] > rows["the fill: Trending now, then Popular in your country"][1]


def test_day_one_fails_when_the_metadata_says_nothing_of_the_viewers(
    audience_watching_in_order: None,
) -> None:
    # Given titles alike in every field of their metadata: the content model cannot rank
    # new titles better than the popularity of their genres
    # When the command runs, then it fails and says which comparison was lost
    with pytest.raises(CommandError, match="content model does not beat genre popularity"):
        call_command(
            "evaluate_recommendations", "--part=day-one", stdout=StringIO(), stderr=StringIO()
        )


def test_day_one_says_when_too_few_profiles_have_history_enough(db: None) -> None:
    # Given twelve profiles that each watched the same ten titles: none has fifteen
    titles = TitleFactory.create_batch(10)
    for profile in ProfileFactory.create_batch(12):
        for title in titles:
            ViewingEventFactory(profile=profile, title=title)

    with pytest.raises(CommandError, match="Nothing to evaluate on day one: too few profiles"):
        call_command(
            "evaluate_recommendations", "--part=day-one", stdout=StringIO(), stderr=StringIO()
        )
