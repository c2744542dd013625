"""Accept or reject every tracked change of .docx files in LibreOffice, and print the text.

Run with the system Python that has Debian's ``python3-uno`` (not the project's virtualenv):

    /usr/bin/python3 uno_tracked_changes.py WORKDIR FILE.docx...

Starts its own headless LibreOffice with a private profile and pipe name in WORKDIR (so several
test runs can work at once), and prints one JSON object: for each file, ``accept`` and
``reject``, each a list of body paragraphs as ``[style, list label, text]``.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.time() + 60
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.time() > deadline:
                raise
            time.sleep(0.2)


def paragraphs(document):
    found = []
    enumeration = document.Text.createEnumeration()
    while enumeration.hasMoreElements():
        element = enumeration.nextElement()
        if not element.supportsService("com.sun.star.text.Paragraph"):
            continue  # tables
        label = element.getPropertyValue("ListLabelString") or ""
        found.append([element.ParaStyleName, label, element.getString()])
    return found


def resolved(desktop, dispatcher, url, command):
    document = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    try:
        frame = document.getCurrentController().getFrame()
        dispatcher.executeDispatch(frame, command, "", 0, ())
        return paragraphs(document)
    finally:
        document.close(True)


def main(workdir, files):
    pipe = f"alliance-uno-{uuid.uuid4().hex}"
    profile = os.path.join(workdir, "profile")
    office = subprocess.Popen(
        [
            "soffice",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            f"-env:UserInstallation=file://{profile}",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        context = connect(pipe)
        manager = context.ServiceManager
        desktop = manager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
        dispatcher = manager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
        result = {}
        for path in files:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            result[path] = {
                "accept": resolved(desktop, dispatcher, url, ".uno:AcceptAllTrackedChanges"),
                "reject": resolved(desktop, dispatcher, url, ".uno:RejectAllTrackedChanges"),
            }
        with contextlib.suppress(Exception):  # the bridge drops as LibreOffice exits
            desktop.terminate()
        print(json.dumps(result))
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
