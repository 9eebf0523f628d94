import os
import subprocess
import sys

CHECK = "import django; django.setup(); print('started')"


def _start(**env):
    environ = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    environ.update(DJANGO_SETTINGS_MODULE="config.settings.production", **env)
    return subprocess.run([sys.executable, "-c", CHECK], env=environ, capture_output=True,
                          text=True, timeout=60, check=False)


def test_production_refuses_to_start_without_a_secret_key():
    result = _start()
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_refuses_the_development_key():
    result = _start(SECRET_KEY="postsale-development-only-not-secret")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_starts_with_a_real_key():
    result = _start(SECRET_KEY="k" * 50)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout
