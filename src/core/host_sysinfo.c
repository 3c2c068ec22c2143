#include "core/host_sysinfo.h"
#include "common/file.h"
#include "common/util.h"

#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *entry, *file;
} dmi_field;

/* libvirt's entry names (virSysinfoFormat) and the kernel's files. */
static const dmi_field bios[] = {
    {"vendor", "bios_vendor"}, {"version", "bios_version"}, {"date", "bios_date"}, {"release", "bios_release"}, {0}};
static const dmi_field sys[] = {{"manufacturer", "sys_vendor"}, {"product", "product_name"},
                                {"version", "product_version"}, {"serial", "product_serial"},
                                {"uuid", "product_uuid"},       {"sku", "product_sku"},
                                {"family", "product_family"},   {0}};
static const dmi_field board[] = {{"manufacturer", "board_vendor"}, {"product", "board_name"},
                                  {"version", "board_version"},     {"serial", "board_serial"},
                                  {"asset", "board_asset_tag"},     {0}};
static const dmi_field chassis[] = {{"manufacturer", "chassis_vendor"}, {"version", "chassis_version"},
                                    {"serial", "chassis_serial"},       {"asset", "chassis_asset_tag"},
                                    {0}};

static void entry(xmlNodePtr *section, xmlNodePtr root, const char *section_name, const char *name,
                  const char *value)
{
    if (!*section)
        *section = xmlNewChild(root, NULL, BAD_CAST section_name, NULL);
    xmlNodePtr e = xmlNewTextChild(*section, NULL, BAD_CAST "entry", BAD_CAST value);
    xmlNewProp(e, BAD_CAST "name", BAD_CAST name);
}

static void dmi_section(xmlNodePtr root, const char *dir, const char *name, const dmi_field *fields)
{
    xmlNodePtr section = NULL;
    for (const dmi_field *f = fields; f->entry; f++) {
        char *path = vr_asprintf("%s/%s", dir, f->file);
        char *text = vr_file_read(path, NULL);
        free(path);
        if (text) {
            text[strcspn(text, "\n")] = '\0';
            char *v = text + strspn(text, " \t");
            for (size_t n = strlen(v); n && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
                v[n - 1] = '\0';
            if (*v)
                entry(&section, root, name, f->entry, v);
        }
        free(text);
    }
}

/* "key\t: value" of one /proc/cpuinfo line, or NULL. */
static const char *cpu_value(const char *line, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(line, key, n) != 0 || (line[n] != ' ' && line[n] != '\t' && line[n] != ':'))
        return NULL;
    const char *colon = strchr(line, ':');
    return colon ? colon + 1 + strspn(colon + 1, " \t") : NULL;
}

typedef struct {
    long id; /* physical id, -1 when the kernel gives none */
    char *model;
    long family, cpu_model, stepping;
} package;

static void processors(xmlNodePtr root, const char *cpuinfo)
{
    char *text = vr_file_read(cpuinfo, NULL);
    if (!text)
        return;
    package pk[64];
    size_t n = 0;
    package cur = {-1, NULL, -1, -1, -1};
    bool any = false;
    char *save = NULL;
    /* A blank line ends a processor's block; strtok_r skips them, so a
     * new block starts at its "processor" line. */
    for (char *line = strtok_r(text, "\n", &save);; line = strtok_r(NULL, "\n", &save)) {
        const char *v;
        bool next = !line || cpu_value(line, "processor");
        if (next && any) {
            bool seen = false;
            for (size_t i = 0; i < n; i++)
                seen |= pk[i].id == cur.id;
            if (!seen && n < VR_ARRAY_LEN(pk))
                pk[n++] = cur;
            else
                free(cur.model);
            cur = (package){-1, NULL, -1, -1, -1};
            any = false;
        }
        if (!line)
            break;
        any = true;
        if ((v = cpu_value(line, "physical id")))
            cur.id = strtol(v, NULL, 10);
        else if ((v = cpu_value(line, "model name")) && !cur.model)
            cur.model = vr_strdup(v);
        else if ((v = cpu_value(line, "cpu family")))
            cur.family = strtol(v, NULL, 10);
        else if ((v = cpu_value(line, "model")))
            cur.cpu_model = strtol(v, NULL, 10);
        else if ((v = cpu_value(line, "stepping")))
            cur.stepping = strtol(v, NULL, 10);
    }
    for (size_t i = 0; i < n; i++) {
        xmlNodePtr section = NULL;
        if (pk[i].family >= 0 && pk[i].cpu_model >= 0 && pk[i].stepping >= 0) {
            char *sig = vr_asprintf("Type 0, Family %ld, Model %ld, Stepping %ld", pk[i].family, pk[i].cpu_model,
                                    pk[i].stepping);
            entry(&section, root, "processor", "signature", sig);
            free(sig);
        }
        if (pk[i].model)
            entry(&section, root, "processor", "version", pk[i].model);
        free(pk[i].model);
    }
    free(text);
}

char *vr_host_sysinfo_xml(const char *dmi_dir, const char *cpuinfo)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewNode(NULL, BAD_CAST "sysinfo");
    xmlDocSetRootElement(doc, root);
    xmlNewProp(root, BAD_CAST "type", BAD_CAST "smbios");
    dmi_section(root, dmi_dir, "bios", bios);
    dmi_section(root, dmi_dir, "system", sys);
    dmi_section(root, dmi_dir, "baseBoard", board);
    dmi_section(root, dmi_dir, "chassis", chassis);
    processors(root, cpuinfo);
    return vr_host_xml_text(doc);
}

char *vr_host_xml_text(xmlDocPtr doc)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
    char *xml = vr_asprintf("%s\n", (const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    xmlFreeDoc(doc);
    return xml;
}
