import subprocess
import sys
from pathlib import Path

pytest_plugins = ["alliance_conf.testing.fixtures"]


def pytest_configure(config):
    """Compile the gettext catalogues once, in the controlling process (``make test`` does it
    too), so a bare ``pytest`` tests the translations as they are in the .po files."""
    if hasattr(config, "workerinput"):
        return
    script = Path(__file__).resolve().parent / "scripts" / "translations.py"
    subprocess.run([sys.executable, str(script), "compile"], check=True)  # noqa: S603
