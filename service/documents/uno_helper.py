"""The UNO side of the warm PDF converter. Run by a Python that has `uno` (Debian's python3-uno,
i.e. /usr/bin/python3), not by the project's interpreter: it imports nothing from the project.

    python3 uno_helper.py PIPE_NAME

Connects to the soffice listening on pipe PIPE_NAME (started by service/documents/converter.py),
prints {"ready": true}, then answers one JSON request a line on stdin with one JSON line:
{"source": path, "target": path} → {"ok": true} or {"error": "..."}. Before a Writer document
is exported its indexes (the 目录) and fields are updated, so page numbers are right.
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue

CONNECT_S = 60


def _props(**values):
    return tuple(PropertyValue(name, 0, value, 0) for name, value in values.items())


def _desktop(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_S
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _convert(desktop, source, target):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0,
                                       _props(Hidden=True, ReadOnly=True))
    if doc is None:
        raise RuntimeError("cannot open " + source)
    try:
        writer = doc.supportsService("com.sun.star.text.TextDocument")
        if writer:
            indexes = doc.getDocumentIndexes()
            for i in range(indexes.getCount()):
                indexes.getByIndex(i).update()
            doc.getTextFields().refresh()
            if indexes.getCount():  # the 目录's page numbers once the layout it changed is known
                for i in range(indexes.getCount()):
                    indexes.getByIndex(i).update()
        flt = "writer_pdf_Export" if writer else "calc_pdf_Export"
        doc.storeToURL(uno.systemPathToFileUrl(target), _props(FilterName=flt))
    finally:
        doc.close(True)


def main():
    desktop = _desktop(sys.argv[1])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            _convert(desktop, request["source"], request["target"])
            reply = {"ok": True}
        except Exception as exc:  # reported to the caller, which falls back to a cold conversion
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
