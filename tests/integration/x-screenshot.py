#!/usr/bin/python3
# x-screenshot.py FILE.png: the whole X screen ($DISPLAY) as a PNG, for
# tests that drive GUI programs under Xvfb (GDK from Debian's
# gir1.2-gtk-3.0, which virt-manager needs anyway).
import sys

import gi

gi.require_version("Gdk", "3.0")
from gi.repository import Gdk  # noqa: E402

root = Gdk.get_default_root_window()
if root is None:
    sys.exit("x-screenshot: no X display (is DISPLAY set?)")
pb = Gdk.pixbuf_get_from_window(root, 0, 0, root.get_width(), root.get_height())
if pb is None:
    sys.exit("x-screenshot: could not read the screen")
pb.savev(sys.argv[1], "png", [], [])
