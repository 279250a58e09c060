"""Importers: real PBX logs and CSV files in, canonical records out, written atomically."""

from callops.ingest.formats import FORMATS
from callops.ingest.pipeline import ImportReport, import_files

__all__ = ["FORMATS", "ImportReport", "import_files"]
