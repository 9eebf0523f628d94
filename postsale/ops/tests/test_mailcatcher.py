"""`postsale mailcatcher`: a development SMTP sink keeping each message as a .eml file."""

import os
import smtplib
import socket
import subprocess
import sys
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from django.conf import settings

from postsale.notifications.tests.smtp import free_port


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the mail catcher did not start"
            time.sleep(0.1)


def test_mailcatcher_keeps_each_message_in_the_given_folder_without_overwriting(tmp_path):
    folder, port = tmp_path / "caught", free_port()
    folder.mkdir()
    (folder / "000002.eml").write_bytes(b"kept from before")  # 000001 was deleted
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "postsale.cli", "mailcatcher", "--host", "127.0.0.1",
         "--port", str(port), "--folder", str(folder)],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True)
    try:
        wait_for_port(port, process)
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            for n in (1, 2):
                message = EmailMessage()
                message["Subject"] = f"Zamówienie {n} – test"
                message["From"], message["To"] = "shop@example.com", "anna@example.com"
                message.set_content("Dzień dobry")
                client.send_message(message)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)

    assert process.returncode == 0, output
    assert sorted(p.name for p in folder.iterdir()) == ["000002.eml", "000003.eml",
                                                        "000004.eml"]
    assert (folder / "000002.eml").read_bytes() == b"kept from before"
    kept = message_from_bytes((folder / "000004.eml").read_bytes(), policy=policy.default)
    assert kept["subject"] == "Zamówienie 2 – test"
    assert f"keeping mail in {folder}" in output
    assert "mail → anna@example.com: Zamówienie 1 – test (000003.eml)" in output
