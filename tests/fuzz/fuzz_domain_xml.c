/* libFuzzer target: domain XML (src/conf/domain_*.c), parse and the
 * format fixed point. */
#include "conf/domain_conf.h"
#include "fixed_point.h"

static void *parse(const char *xml, size_t len, char **err) { return vr_domain_def_parse(xml, len, err); }
static char *format(const void *def) { return vr_domain_def_format(def); }
static void drop(void *def) { vr_domain_def_free(def); }

static const fz_xml_kind kind = {"domain", parse, format, drop};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_xml_fixed_point(&kind, data, size); }
