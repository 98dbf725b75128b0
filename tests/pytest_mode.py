"""Say that a pytest run is a test (PORTAL_MODE=test) before pytest-django loads the settings.

Loaded with ``-p tests.pytest_mode`` (pyproject.toml), so a plain ``python -m pytest`` starts as
``bin/test`` does: missing secrets are generated into var/ and HTTPS settings are off. Worker
processes the tests start inherit the mode with the environment.
"""

import os

os.environ["PORTAL_MODE"] = "test"
