"""The ``gototraining_sandbox`` fixtures under their historical module name.

pytest loads the plugin automatically (entry point ``pytest11`` -> the top-level module
``_gototraining_pytest_plugin``, which imports nothing of gototraining at load time); this module
only serves projects that name it in ``pytest_plugins`` or ``-p``.
"""

from _gototraining_pytest_plugin import (
    _gototraining_sandbox_servers,
    gototraining_client,
    gototraining_sandbox,
    gototraining_sandbox_server,
    pytest_addoption,
    pytest_configure,
)

__all__ = [
    "_gototraining_sandbox_servers",
    "gototraining_client",
    "gototraining_sandbox",
    "gototraining_sandbox_server",
    "pytest_addoption",
    "pytest_configure",
]
