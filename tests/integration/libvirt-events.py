#!/usr/bin/python3
# Registers for every event kind vireod sends over libvirt's protocol
# (libvirt-ops.sh): domain lifecycle, reboot, RTC change, device added,
# removed and removal failed, block job (both ids), tunable, agent
# lifecycle, metadata change;
# network lifecycle; pool lifecycle and refresh. Prints one line per
# event (KIND NAME EVENT DETAIL), flushed, until it is killed.
import sys
import threading

import libvirt

libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(sys.argv[1])


def say(*words):
    print(*words, flush=True)


def lifecycle(_c, dom, event, detail, _o):
    say("domain", dom.name(), "lifecycle", event, detail)


def reboot(_c, dom, _o):
    say("domain", dom.name(), "reboot")


def added(_c, dom, alias, _o):
    say("domain", dom.name(), "device-added", alias)


def removed(_c, dom, alias, _o):
    say("domain", dom.name(), "device-removed", alias)


def rtc_change(_c, dom, offset, _o):
    say("domain", dom.name(), "rtc-change", offset)


def removal_failed(_c, dom, alias, _o):
    say("domain", dom.name(), "device-removal-failed", alias)


def block_job(_c, dom, disk, kind, status, _o):
    say("domain", dom.name(), "block-job", disk, kind, status)


def block_job_2(_c, dom, disk, kind, status, _o):
    say("domain", dom.name(), "block-job-2", disk, kind, status)


def tunable(_c, dom, params, _o):
    for key, value in sorted(params.items()):
        say("domain", dom.name(), "tunable", key, value)


def agent(_c, dom, state, reason, _o):
    say("domain", dom.name(), "agent", state, reason)


def metadata(_c, dom, kind, nsuri, _o):
    say("domain", dom.name(), "metadata", kind, nsuri)


def net_lifecycle(_c, net, event, detail, _o):
    say("network", net.name(), "lifecycle", event, detail)


def pool_lifecycle(_c, pool, event, detail, _o):
    say("pool", pool.name(), "lifecycle", event, detail)


def pool_refresh(_c, pool, _o):
    say("pool", pool.name(), "refresh")


conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, lifecycle, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_REBOOT, reboot, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_ADDED, added, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, removed, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED, removal_failed, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_RTC_CHANGE, rtc_change, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB, block_job, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, block_job_2, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_TUNABLE, tunable, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE, agent, None)
conn.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, metadata, None)
conn.networkEventRegisterAny(None, libvirt.VIR_NETWORK_EVENT_ID_LIFECYCLE, net_lifecycle, None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, pool_lifecycle, None)
conn.storagePoolEventRegisterAny(None, libvirt.VIR_STORAGE_POOL_EVENT_ID_REFRESH, pool_refresh, None)
say("registered")
while True:
    libvirt.virEventRunDefaultImpl()
