import pytest
from django.test import Client

from tests.factories import StaffUserFactory


@pytest.fixture
def staff_client(db: None) -> Client:
    """A browser session logged in as a staff user with every catalog permission."""
    client = Client()
    client.force_login(StaffUserFactory())
    return client
