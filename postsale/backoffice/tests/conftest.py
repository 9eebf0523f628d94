import pytest
from django.test import Client

from postsale.sellers.models import Role
from postsale.sellers.tests.factories import make_member


@pytest.fixture
def agent(seller):
    """A member of `seller` with the agent role; password "pw"."""
    return make_member(seller, role=Role.AGENT, username="agnes").user


@pytest.fixture
def client_for():
    """A logged-in test client for a user."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def agent_client(agent, client_for):
    return client_for(agent)
