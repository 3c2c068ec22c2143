/* libFuzzer target: backup XML (src/conf/backup_conf.c), parse and the
 * format fixed point. */
#include "conf/backup_conf.h"
#include "fixed_point.h"

static void *parse(const char *xml, size_t len, char **err) { return vr_backup_def_parse(xml, len, err); }
static char *format(const void *def) { return vr_backup_def_format(def); }
static void drop(void *def) { vr_backup_def_free(def); }

static const fz_xml_kind kind = {"backup", parse, format, drop};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fz_xml_fixed_point(&kind, data, size); }
