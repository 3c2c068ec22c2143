/* libFuzzer target: network XML (src/conf/network_*.c), parse and the
 * format fixed point. A definition without a bridge name gets one from
 * the namer, as the network driver names them. */
#include "common/util.h"
#include "conf/network_conf.h"
#include "fixed_point.h"

static char *namer(void *opaque) { return vr_strdup("vireo0"); }
static void *parse(const char *xml, size_t len, char **err)
{
    return vr_network_def_parse(xml, len, namer, NULL, err);
}
static char *format(const void *def) { return vr_network_def_format(def); }
static void drop(void *def) { vr_network_def_free(def); }

static const fz_xml_kind kind = {"network", parse, format, drop};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_xml_fixed_point(&kind, data, size); }
