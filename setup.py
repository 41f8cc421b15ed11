"""What pyproject.toml cannot say: the four top-level folders are subpackages of ``pulumi_azure_peering``.

``provider/``, ``components/``, ``emulator/`` and ``plugin/`` stay at the repository's top level (the README's layout
table) and install as ``pulumi_azure_peering.provider``, ``pulumi_azure_peering.components``, ... through
``package_dir``. Their own subpackages are found, so that a new one needs no edit here: regular ones
(``emulator/handlers``) and data folders (``emulator/seeds``, which Python could import as a namespace package and
setuptools wants listed). Nothing of ours lands at the top of site-packages but ``pulumi_azure_peering``.
"""

from setuptools import find_namespace_packages, setup

PACKAGE = "pulumi_azure_peering"
#: The top-level folders, each installed as ``pulumi_azure_peering.<folder>``.
SUBPACKAGE_FOLDERS = ("provider", "components", "emulator", "plugin", "discover")

setup(
    package_dir={PACKAGE: PACKAGE, **{f"{PACKAGE}.{folder}": folder for folder in SUBPACKAGE_FOLDERS}},
    packages=[
        PACKAGE,
        *(
            f"{PACKAGE}.{name}"
            for folder in SUBPACKAGE_FOLDERS
            for name in (
                folder,
                *(f"{folder}.{sub}" for sub in find_namespace_packages(folder, exclude=["*__pycache__"])),
            )
        ),
    ],
)
