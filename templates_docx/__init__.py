"""The bundled docxtpl templates, one .docx per document kind: package data, so a wheel ships them.

`build.py` writes them (`python templates_docx/build.py`); service.documents.render reads them.
"""
