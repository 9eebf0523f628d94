import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

from postsale.core.tests.browser import CHROMIUM

# pytest-django's live_server with sync Playwright runs inside an event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    from django.db import connection

    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    has_chromium = Path(CHROMIUM).exists()
    skip_browser = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install -y chromium")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "browser" in item.keywords and not has_chromium:
            item.add_marker(skip_browser)


@pytest.fixture
def seller(db):
    from postsale.sellers.tests.factories import make_seller

    return make_seller(slug="acme", name="Acme Events")


@pytest.fixture
def other_seller(db):
    from postsale.sellers.tests.factories import make_seller

    return make_seller(slug="other", name="Other Shop")


@pytest.fixture
def api(seller):
    """A Django test client speaking JSON with the seller's token."""
    from django.test import Client

    from postsale.sellers.tests.factories import make_token

    return Client(headers={"Authorization": f"Bearer {make_token(seller)}"})


@pytest.fixture(autouse=True)
def _default_language():
    """A request through LocaleMiddleware leaves its language (a cookie, Accept-Language)
    active in this thread; put the default back so later tests do not run in Hebrew."""
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's chromium instead of a downloaded browser; the flags keep it off the network.
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--disable-quic"]}


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied, made once per test process. Tests that
    run `postsale` as processes of their own copy it (`postsale.core.tests.helpers.sqlite_copy`) instead of migrating
    a fresh file each, which takes a quarter of a minute."""
    from django.conf import settings

    path = tmp_path_factory.mktemp("migrated") / "postsale.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "DATABASE_URL": f"sqlite:///{path}"}
    subprocess.run([sys.executable, "-m", "postsale.cli", "migrate", "--verbosity", "0"],
                   env=env, cwd=settings.BASE_DIR, check=True, capture_output=True,
                   timeout=600)
    return path

