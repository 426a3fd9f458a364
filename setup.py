"""Packaging glue that pyproject.toml cannot express: the top-level resources/ and locales/
folders are installed as ``assistant/resources`` and ``assistant/locales`` (so
``assistant.paths`` finds them the same way in a checkout, a wheel and a bundle), and the
gettext catalogues are compiled with Babel while building.

They are copied by the build step rather than declared as packages: declared, every folder
below them would be a "package" setuptools warns about, and an editable install would need
a meta-path finder (another warning) instead of a plain path entry; a checkout finds them
beside the ``assistant`` folder anyway."""

import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithData(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # the checkout's own folders serve an editable install
            return
        target = Path(self.build_lib, "assistant")
        resources = HERE / "resources"
        if resources.is_dir():
            shutil.copytree(resources, target / "resources", dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in (HERE / "locales").glob("*/LC_MESSAGES/*.po"):
            mo = Path(target, "locales", po.relative_to(HERE / "locales")).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(po, mo.with_suffix(".po"))
            with po.open("rb") as f:
                catalog = read_po(f)
            with mo.open("wb") as f:
                write_mo(f, catalog)


setup(
    packages=find_packages(include=["assistant", "assistant.*", "ui", "ui.*"]),
    package_dir={"": "."},
    cmdclass={"build_py": BuildWithData},
)
