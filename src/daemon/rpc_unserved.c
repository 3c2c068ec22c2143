/* libvirt's names for procedures vireod does not serve (yet) that its
 * clients are known to call: virsh's commands beyond the basic ones,
 * virt-manager's polling, python3-libvirt programs. Only for the log
 * line that says once what a client missed; the numbers are the
 * protocol's (remote_protocol.x). docs/libvirt-protocol.md says why each
 * is not served. */
#include "daemon/rpc.h"

#include <stddef.h>

static const struct {
    int number;
    const char *api;
} unserved[] = {
    {167, "virConnectDomainEventRegisterAny (without callback ids)"},
    {197, "virDomainSetMemoryParameters"},
    {198, "virDomainGetMemoryParameters"},
    {206, "virDomainGetBlkioParameters"},
    {255, "virDomainGetNumaParameters"},
    {360, "virConnectRegisterCloseCallback"},
};

const char *vr_rpc_unserved_name(int number)
{
    for (size_t i = 0; i < sizeof(unserved) / sizeof(unserved[0]); i++)
        if (unserved[i].number == number)
            return unserved[i].api;
    return NULL;
}
