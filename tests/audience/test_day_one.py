"""Day one: a title nobody has watched yet reaches the profiles whose history matches it, in
their recommendations, in similar lists and in the home screen's "New on the service" row,
each time with the reason why."""

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from strawberry.relay import to_base64

from audience.models import SimilarTitle
from audience.personalization.refresh import refresh_profile
from audience.personalization.similar_titles import refresh_similar_titles
from audience.personalization.training import latest_model, train_model
from tests.factories import (
    AvailabilityFactory,
    CastCreditFactory,
    CrewCreditFactory,
    GenreFactory,
    PersonFactory,
    ProfileFactory,
    TastePickFactory,
    TitleFactory,
    ViewingEventFactory,
)
from tests.graphql import client_of, data_of

RECOMMENDATIONS = """
query ($id: ID!) {
  profile(id: $id) {
    recommendations(first: 30) { title { name } reason { kind text becauseYouWatched { name } } }
  }
}
"""
SIMILAR = """
query ($id: ID!) { title(id: $id) { similar(first: 20) { title { name } reason score } } }
"""
HOME = """
query ($id: ID!) { home(profileId: $id) { rows { kind title items { title { name } } } } }
"""

LONG_AGO = datetime.now(UTC) - timedelta(days=400)


def catalog_title(name: str, genre: Any, *, opened: datetime = LONG_AGO) -> Any:
    title = TitleFactory(name=name, genres=[genre])
    AvailabilityFactory(title=title, region="US", window_start=opened)
    return title


@pytest.fixture
def westerns_and_comedies(db: None) -> dict[str, Any]:
    """Six profiles watch one director's westerns, six another's, six others comedies; the
    model learns that the director, more than the genre, says who watches a western."""
    western, comedy = GenreFactory(name="Western"), GenreFactory(name="Comedy")
    leone, ford = PersonFactory(name="Sergio Leone"), PersonFactory(name="John Ford")
    leads = [PersonFactory(name=f"Lead {n}") for n in range(3)]
    westerns = [catalog_title(f"Western {n}", western) for n in range(4)]
    fords = [catalog_title(f"Ford western {n}", western) for n in range(4)]
    comedies = [catalog_title(f"Comedy {n}", comedy) for n in range(4)]
    for director, titles in ((leone, westerns), (ford, fords)):
        for title in titles:
            CrewCreditFactory(title=title, person=director)
    for billing, lead in enumerate(leads, start=1):
        CastCreditFactory(title=westerns[0], person=lead, billing_order=billing)
    fans, ford_fans, others = ([ProfileFactory(region="US") for _ in range(6)] for _ in "abc")
    for profiles, titles in ((fans, westerns), (ford_fans, fords), (others, comedies)):
        for profile in profiles:
            for hours_ago, title in enumerate(titles):
                ViewingEventFactory(
                    profile=profile,
                    title=title,
                    started_at=datetime.now(UTC) - timedelta(hours=hours_ago + 1),
                )
    train_model()
    # released yesterday, by the same director, with the first western's three leads
    new = catalog_title(
        "A Fistful of Dollars", western, opened=datetime.now(UTC) - timedelta(days=1)
    )
    CrewCreditFactory(title=new, person=leone)
    for billing, lead in enumerate(leads, start=1):
        CastCreditFactory(title=new, person=lead, billing_order=billing)
    return {"fan": fans[0], "other": others[0], "new": new, "westerns": westerns}


def test_the_model_learns_what_in_a_title_predicts_its_viewers(
    westerns_and_comedies: dict[str, Any],
) -> None:
    model = latest_model()
    assert model is not None
    assert model.content is not None
    weights = model.content.as_dict()
    # what tells these viewers apart is the director
    assert weights["director"] > weights["genres"]
    assert model.content_scale > 0


def test_a_new_title_without_viewing_is_recommended_to_profiles_whose_history_matches_it(
    westerns_and_comedies: dict[str, Any],
) -> None:
    fan, other = westerns_and_comedies["fan"], westerns_and_comedies["other"]
    refresh_profile(fan.pk)
    refresh_profile(other.pk)

    fans_list = recommendations_of(fan)
    (new_pick,) = [r for r in fans_list if r["title"]["name"] == "A Fistful of Dollars"]
    assert new_pick["reason"]["kind"] == "NEW_LIKE_WATCHED"
    watched = new_pick["reason"]["becauseYouWatched"]["name"]
    assert watched.startswith("Western")
    assert new_pick["reason"]["text"] in (
        f"New: same director as {watched}",
        f"New: shares 3 cast members with {watched}",
    )
    # the comedy viewers are not offered it as like something they watched
    assert not [
        r
        for r in recommendations_of(other)
        if r["title"]["name"] == "A Fistful of Dollars"
        and r["reason"]["kind"] == "NEW_LIKE_WATCHED"
    ]


def test_a_new_title_shows_in_the_similar_lists_of_the_titles_it_is_like_with_the_reason(
    westerns_and_comedies: dict[str, Any],
) -> None:
    refresh_similar_titles()
    new, first_western = westerns_and_comedies["new"], westerns_and_comedies["westerns"][0]
    client = client_of(westerns_and_comedies["fan"].account)

    similar_to_western = data_of(client, SIMILAR, {"id": to_base64("Title", first_western.pk)})
    entries = {s["title"]["name"]: s for s in similar_to_western["title"]["similar"]}
    assert entries["A Fistful of Dollars"]["reason"] == "Same director"
    assert entries["Western 1"]["reason"] == "Viewers also watched"

    own = data_of(client, SIMILAR, {"id": to_base64("Title", new.pk)})["title"]["similar"]
    names = [s["title"]["name"] for s in own]
    assert names[0] == "Western 0"  # the same director and the same three leads
    assert set(names[:4]) == {f"Western {n}" for n in range(4)}  # the same director
    assert "Comedy 0" not in names
    assert all(s["reason"] != "Viewers also watched" for s in own)


def test_the_home_screen_has_a_new_on_the_service_row_ranked_for_the_profile(
    westerns_and_comedies: dict[str, Any],
) -> None:
    fan = westerns_and_comedies["fan"]
    refresh_profile(fan.pk)

    rows = data_of(client_of(fan.account), HOME, {"id": to_base64("Profile", fan.pk)})["home"][
        "rows"
    ]

    (new_row,) = [row for row in rows if row["kind"] == "NEW_ON_SERVICE"]
    assert new_row["title"] == "New on the service"
    assert new_row["items"][0]["title"]["name"] == "A Fistful of Dollars"


def test_a_new_profile_that_chose_only_a_title_too_new_for_the_model_gets_picks_like_it(
    westerns_and_comedies: dict[str, Any],
) -> None:
    # given a new profile whose one title is the new western the model never learnt
    profile = ProfileFactory(region="US")
    TastePickFactory(profile=profile, title=westerns_and_comedies["new"])

    refresh_profile(profile.pk)

    # then the content map speaks for it: that director's westerns come first, and say why
    picks = recommendations_of(profile)
    assert {pick["title"]["name"] for pick in picks[:4]} == {f"Western {n}" for n in range(4)}
    assert picks[0]["reason"] == {
        "kind": "BECAUSE_YOU_CHOSE",
        "text": "Because you chose A Fistful of Dollars",
        "becauseYouWatched": {"name": "A Fistful of Dollars"},
    }


def test_the_refresh_command_places_new_titles_once(
    westerns_and_comedies: dict[str, Any],
) -> None:
    # given a new title without similar titles (added after the last refresh)
    def refresh() -> str:
        out = StringIO()
        call_command(
            "refresh_recommendations", if_new_titles_missing=True, stdout=out, stderr=StringIO()
        )
        return out.getvalue()

    # when the first start's refresh runs, it places it; the next start has nothing to do
    assert "profiles scored" in refresh()
    assert SimilarTitle.objects.filter(title=westerns_and_comedies["new"]).exists()
    assert refresh() == "Every title new on the service has its similar titles.\n"


def recommendations_of(profile: Any) -> list[dict[str, Any]]:
    data = data_of(
        client_of(profile.account), RECOMMENDATIONS, {"id": to_base64("Profile", profile.pk)}
    )
    result: list[dict[str, Any]] = data["profile"]["recommendations"]
    return result
