"""Packaging glue that pyproject.toml cannot express: the top-level resources/ and locales/
folders are installed as ``assistant/resources`` and ``assistant/locales`` (so
``assistant.paths`` finds them the same way in a checkout, a wheel and a bundle), and the
gettext catalogues are compiled with Babel while building."""

from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in (HERE / "locales").glob("*/LC_MESSAGES/*.po"):
            target = Path(self.build_lib, "assistant", "locales", po.relative_to(HERE / "locales")).with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as f:
                catalog = read_po(f)
            with target.open("wb") as f:
                write_mo(f, catalog)


DATA_PACKAGES = {f"assistant.{name}": name for name in ("resources", "locales") if (HERE / name).is_dir()}

setup(
    packages=find_packages(include=["assistant", "assistant.*", "ui", "ui.*"]) + list(DATA_PACKAGES),
    package_dir={"": ".", **DATA_PACKAGES},
    package_data={
        "assistant.resources": ["**/*"],
        "assistant.locales": ["**/*.po", "**/*.mo"],
        "assistant": ["**/*.json"],
        "ui": ["**/*.qss"],
    },
    cmdclass={"build_py": BuildWithCatalogues},
)
