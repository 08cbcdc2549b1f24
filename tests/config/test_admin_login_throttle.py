"""The admin's sign-in refuses an account, and an address, after too many wrong passwords."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import StaffUserFactory
from tests.graphql import fresh_address

LOGIN = reverse("admin:login")


def sign_in(username: str, password: str, *, at: str) -> int:
    response = Client().post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=at
    )
    return response.status_code


@pytest.fixture
def throttled(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3


@pytest.mark.django_db
def test_wrong_passwords_lock_the_account_and_the_address(throttled: None) -> None:
    # Given two staff accounts, and someone guessing one's password from one address
    target = StaffUserFactory(username=f"target-{uuid.uuid4().hex[:8]}")
    bystander = StaffUserFactory(username=f"bystander-{uuid.uuid4().hex[:8]}")
    guesser, elsewhere, third = fresh_address(), fresh_address(), fresh_address()

    guesses = [sign_in(target.username, f"guess-{n}", at=guesser) for n in range(3)]

    # Then the form comes back twice, the third wrong guess locks the account and the
    # address, and the right password is refused too: from that address, and for that
    # account from anywhere
    assert guesses == [200, 200, 429]
    assert sign_in(target.username, "staff-password", at=guesser) == 429
    assert sign_in(target.username, "staff-password", at=elsewhere) == 429
    assert sign_in(bystander.username, "staff-password", at=guesser) == 429
    # while another account signs in from another address
    assert sign_in(bystander.username, "staff-password", at=third) == 302


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_accounts_failures(throttled: None) -> None:
    staff = StaffUserFactory(username=f"staff-{uuid.uuid4().hex[:8]}")
    at = fresh_address()

    sign_in(staff.username, "typo", at=at)
    sign_in(staff.username, "typo", at=at)
    assert sign_in(staff.username, "staff-password", at=at) == 302

    assert sign_in(staff.username, "typo", at=at) == 200
    assert sign_in(staff.username, "staff-password", at=at) == 302
