#!/usr/bin/python3
# events-more.sh's python3-libvirt listener: registers the watchdog, I/O
# error (both ids), graphics and lifecycle callbacks on libvirt-sock and
# prints one line per event, flushed, until it is killed:
#   NAME watchdog ACTION
#   NAME io-error SRCPATH ALIAS ACTION
#   NAME io-error-reason SRCPATH ALIAS ACTION REASON
#   NAME graphics PHASE LFAMILY LNODE LSERVICE RFAMILY RNODE RSERVICE AUTH [TYPE=NAME ...]
#   NAME lifecycle EVENT DETAIL
import sys

import libvirt

libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(sys.argv[1])


def say(*words):
    print(*words, flush=True)


def watchdog(_c, dom, action, _o):
    say(dom.name(), "watchdog", action)


def io_error(_c, dom, path, alias, action, _o):
    say(dom.name(), "io-error", path, alias, action)


def io_error_reason(_c, dom, path, alias, action, reason, _o):
    say(dom.name(), "io-error-reason", path, alias, action, reason)


def graphics(_c, dom, phase, local, remote, auth, subject, _o):
    ends = [str(local["family"]), local["node"], local["service"],
            str(remote["family"]), remote["node"], remote["service"]]
    say(dom.name(), "graphics", phase, *ends, auth, *["%s=%s" % s for s in subject])


def lifecycle(_c, dom, event, detail, _o):
    say(dom.name(), "lifecycle", event, detail)


conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_WATCHDOG, watchdog, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_IO_ERROR, io_error, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, io_error_reason, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_GRAPHICS, graphics, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, None)
say("registered")
while True:
    libvirt.virEventRunDefaultImpl()
