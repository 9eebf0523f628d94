"""What the browser tests share: Debian's chromium, which the root conftest's
`browser_type_launch_args` starts (and without which it skips every test marked
`browser`), and the folder their screenshots and downloads are kept in for CI."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
