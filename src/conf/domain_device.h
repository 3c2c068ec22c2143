/* One device of a definition added or taken away, as attach-device and
 * detach-device (and attach-disk, attach-interface, ...) ask: the
 * definition is formatted, the device's element added to or removed from
 * <devices>, and the whole parsed again through every step of
 * vr_domain_def_parse. So a hot-plugged device is completed, validated
 * and given its address exactly as if it had been in the XML at define
 * time, and nothing that define refuses gets in this way. */
#pragma once
#include "conf/domain_conf.h"

typedef enum { VR_DEVICE_DISK, VR_DEVICE_INTERFACE, VR_DEVICE_MEMORY } vr_device_kind;

/* `def` with the <disk>, <interface> or <memory model='dimm'> element
 * `xml` added; *kind says which, *index where it is in disks[],
 * interfaces[] or memdevs[]. A DIMM adds its size to <memory> and
 * <currentMemory>, as libvirt does. NULL with a one-line *err.
 * resolved_path is carried over. */
vr_domain_def *vr_domain_def_with_device(const vr_domain_def *def, const char *xml, vr_device_kind *kind,
                                         size_t *index, char **err);

/* `def` without disks[index], interfaces[index] or memdevs[index]; a
 * DIMM's size leaves <memory> and <currentMemory>. */
vr_domain_def *vr_domain_def_without_device(const vr_domain_def *def, vr_device_kind kind, size_t index,
                                            char **err);

/* The device of `def` that the element `xml` names (detach-device): a
 * disk by its <target dev> (or, without one, its user <alias name>, else
 * its source), an interface by its <mac address> (or, without one, the only one of its type and
 * source), a DIMM by its <alias name='dimmN'>, else its <address slot>,
 * else its <target> size (and node) when one DIMM has it. -1 with *err when there is none or the element is neither. */
int vr_domain_def_find_device(const vr_domain_def *def, const char *xml, vr_device_kind *kind, size_t *index,
                              char **err);

/* What the disk's medium is: its file or device, its volume's resolved
 * path, a network disk's name (POOL/IMAGE, IQN/LUN); NULL: none. */
const char *vr_disk_def_source(const vr_disk_def *d);
/* The disk whose target (vdb) or source (vr_disk_def_source) is `key`;
 * -1 when none. */
int vr_domain_def_find_disk(const vr_domain_def *def, const char *key);
/* The DIMM whose alias is `alias` (dimmN); -1 when none. */
int vr_domain_def_find_memdev(const vr_domain_def *def, const char *alias);
/* The disk, interface or DIMM whose alias is `alias`: a user alias
 * (ua-...) or a DIMM's dimmN, as virsh detach-device-alias names them;
 * *kind says which. -1 when none. */
int vr_domain_def_find_alias(const vr_domain_def *def, const char *alias, vr_device_kind *kind);
/* vr_domain_def_find_device on a running domain: an element naming its
 * device by the automatic alias the live XML shows (<alias
 * name='virtio-disk1'/> in a <disk> without a target, <alias name='net1'/>
 * in an <interface>, with its MAC when given: both must match, as
 * libvirt's virDomainNetFindIdx) finds it by that. */
int vr_domain_def_find_live_device(const vr_domain_def *def, const char *xml, const int *nics,
                                   vr_device_kind *kind, size_t *index, char **err);
/* libvirt's automatic alias of the i-th <element> of a running domain
 * (virtio-disk0, sata0-0-0, net0, serial0, input0, balloon0, pci.1 ...;
 * domain_alias.c); NULL for an element that has none. `nics`: the run's
 * number of each interface (its netN), NULL for their positions. */
char *vr_domain_live_alias(const vr_domain_def *def, const char *element, size_t i, const int *nics);
/* The disk or interface of a running domain whose automatic alias is
 * `alias` (one with a user alias has that instead); -1 when none. */
int vr_domain_def_find_live_alias(const vr_domain_def *def, const char *alias, const int *nics,
                                  vr_device_kind *kind);
/* The interface with this MAC (any case); -1 when none. */
int vr_domain_def_find_interface(const vr_domain_def *def, const char *mac);
