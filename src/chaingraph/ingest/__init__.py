"""Bring firm lists that staff keep in Excel (企业名单) into a dataset.

``import_file(path, into)`` reads an .xlsx sheet or a .csv (UTF-8, UTF-8 BOM, GBK/GB18030),
maps its headers (built-in Chinese and English defaults, or a mapping file), resolves each
row to an existing firm or a new one, links it to its segments and place, turns the
customer/supplier cells into SUPPLIES edges, and writes the result into the dataset's
imported files after validating it. See :mod:`chaingraph.ingest.plan` for the rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports

#: names are imported lazily (PEP 562): the dataset cache's writer makes an import's memo
#: (:func:`chaingraph.ingest.plan_resolve.index_memo`) without the importer's other modules
_EXPORTS = {
    "import_file": "files",
    "FIELDS": "mapping",
    "Mapping": "mapping",
    "load_mapping": "mapping",
    "normalize_header": "mapping",
    "FirmIndex": "names",
    "new_firm_id": "names",
    "normalize_firm_name": "names",
    "source_id_for": "plan",
    "FIRMS_FILE": "plan_render",
    "RELATIONS_FILE": "plan_render",
    "SOURCES_FILE": "plan_render",
    "Change": "plan_result",
    "ImportResult": "plan_result",
    "Issue": "plan_result",
    "Table": "sheets",
    "detect_encoding": "sheets",
    "read_table": "sheets",
    "Amount": "values",
    "parse_amount": "values",
    "parse_bool": "values",
    "parse_credit_code": "values",
    "split_names": "values",
}

__all__ = [
    "FIELDS",
    "FIRMS_FILE",
    "RELATIONS_FILE",
    "SOURCES_FILE",
    "Amount",
    "Change",
    "FirmIndex",
    "ImportResult",
    "Issue",
    "Mapping",
    "Table",
    "detect_encoding",
    "import_file",
    "load_mapping",
    "new_firm_id",
    "normalize_firm_name",
    "normalize_header",
    "parse_amount",
    "parse_bool",
    "parse_credit_code",
    "read_table",
    "source_id_for",
    "split_names",
]

if TYPE_CHECKING:
    from .files import import_file
    from .mapping import FIELDS, Mapping, load_mapping, normalize_header
    from .names import FirmIndex, new_firm_id, normalize_firm_name
    from .plan import source_id_for
    from .plan_render import FIRMS_FILE, RELATIONS_FILE, SOURCES_FILE
    from .plan_result import Change, ImportResult, Issue
    from .sheets import Table, detect_encoding, read_table
    from .values import Amount, parse_amount, parse_bool, parse_credit_code, split_names


__getattr__ = lazy_exports(__name__, _EXPORTS)
