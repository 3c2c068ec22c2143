/* libFuzzer target: checkpoint XML (src/conf/checkpoint_conf.c), parse and the
 * format fixed point. */
#include "conf/checkpoint_conf.h"
#include "fixed_point.h"

static void *parse(const char *xml, size_t len, char **err) { return vr_checkpoint_def_parse(xml, len, err); }
static char *format(const void *def) { return vr_checkpoint_def_format(def); }
static void drop(void *def) { vr_checkpoint_def_free(def); }

static const fz_xml_kind kind = {"checkpoint", parse, format, drop};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_xml_fixed_point(&kind, data, size); }
