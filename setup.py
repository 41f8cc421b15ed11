"""What pyproject.toml cannot say: the wheel also puts ``pulumi_azure_peering-legacy-names.pth`` at the top of
site-packages. Its one line imports ``pulumi_azure_peering._legacy_names`` when Python starts, so that dynamic
providers pickled by 0.1.0 (``provider.resource...``) still load; that module explains why and how."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LEGACY_PTH = "pulumi_azure_peering-legacy-names.pth"


class BuildPyWithLegacyNames(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / LEGACY_PTH
        target.write_text("import pulumi_azure_peering._legacy_names\n")

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return [*super().get_outputs(include_bytecode), str(Path(self.build_lib) / LEGACY_PTH)]


setup(cmdclass={"build_py": BuildPyWithLegacyNames})
