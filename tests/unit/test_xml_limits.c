/* The limits checked before libxml2 parses a document (conf/xml_limits.h):
 * the finding's 200k-attribute <domain> is refused by the pass, with the
 * line and the element; documents within the limits go to libxml2 whole;
 * a syntax error stops the pass and libxml2 reads only up to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/util.h"
#include "conf/domain_conf.h"
#include "conf/xml_limits.h"
#include "conf/xml_util.h"

static void over(const char *xml, size_t len, const char *msg)
{
    char *err = NULL;
    size_t parse_len = 0;
    assert_int_equal(vr_xml_check_limits(xml, len, &parse_len, &err), -1);
    if (!strstr(err, msg))
        fail_msg("expected '%s' in '%s'", msg, err);
    free(err);
}

static void whole(const char *xml)
{
    char *err = NULL;
    size_t parse_len = 0;
    assert_int_equal(vr_xml_check_limits(xml, strlen(xml), &parse_len, &err), 0);
    assert_null(err);
    assert_int_equal(parse_len, strlen(xml));
}

/* <TAG a0='' a1='' ... a(n-1)=''/> */
static char *with_attrs(const char *tag, size_t n)
{
    vr_strbuf b = {0};
    vr_strbuf_addf(&b, "<%s", tag);
    for (size_t i = 0; i < n; i++)
        vr_strbuf_addf(&b, " a%zu=''", i);
    vr_strbuf_add(&b, "/>");
    return vr_strbuf_take(&b);
}

static void attributes(void **state)
{
    /* Finding 2: 200k attributes on <domain>, 2.3 MB, took minutes. */
    char *big = with_attrs("domain", 200000);
    over(big, strlen(big), "line 1: element <domain> has more than 64 attributes");
    char *err = NULL;
    assert_null(vr_domain_def_parse(big, strlen(big), &err));
    assert_string_equal(err, "line 1: element <domain> has more than 64 attributes");
    free(err);
    free(big);
    char *at = with_attrs("e", VR_XML_MAX_ATTRS);
    whole(at);
    free(at);
    char *past = with_attrs("e", VR_XML_MAX_ATTRS + 1);
    over(past, strlen(past), "element <e> has more than 64 attributes");
    free(past);
    /* Namespace declarations are attributes to libxml2's check too. */
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "<m\n");
    for (int i = 0; i <= VR_XML_MAX_ATTRS; i++)
        vr_strbuf_addf(&b, " xmlns:n%d='urn:%d'", i, i);
    vr_strbuf_add(&b, "/>");
    over(b.s, b.len, "line 2: element <m> has more than 64 attributes");
    vr_strbuf_free(&b);
}

static void nodes_depth_names(void **state)
{
    vr_strbuf b = {0};
    vr_strbuf_add(&b, "<r>");
    for (int i = 0; i < VR_XML_MAX_NODES; i++)
        vr_strbuf_add(&b, "<e/>");
    vr_strbuf_add(&b, "</r>");
    over(b.s, b.len, "the document has more than 5000 elements and attributes");
    vr_strbuf_free(&b);

    for (int i = 0; i <= VR_XML_MAX_DEPTH; i++)
        vr_strbuf_add(&b, "<d>");
    over(b.s, b.len, "element <d> is nested more than 64 elements deep");
    vr_strbuf_free(&b);
    /* As deep as allowed, and the same again after closing: depth is
     * what is open, not what was seen. */
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < VR_XML_MAX_DEPTH; i++)
            vr_strbuf_add(&b, "<d>");
        for (int i = 0; i < VR_XML_MAX_DEPTH; i++)
            vr_strbuf_add(&b, "</d>");
    }
    whole(b.s);
    vr_strbuf_free(&b);

    char name[VR_XML_MAX_NAME + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    char *xml = vr_asprintf("<%s/>", name);
    over(xml, strlen(xml), "has a name over 128 bytes");
    free(xml);
    xml = vr_asprintf("<e %s='1'/>", name);
    over(xml, strlen(xml), "element <e> has an attribute name over 128 bytes");
    free(xml);
}

/* Finding 6: "<domain/>\0garbage" was read up to the NUL. */
static void nul_byte(void **state)
{
    static const char xml[] = "<domain type='kvm'/>\0garbage";
    over(xml, sizeof(xml) - 1, "NUL byte at offset 20");
    char *err = NULL;
    assert_null(vr_domain_def_parse(xml, sizeof(xml) - 1, &err));
    assert_non_null(strstr(err, "NUL byte"));
    free(err);
}

/* What the pass must not miscount: markup inside comments, CDATA,
 * processing instructions and quoted values. */
static void valid_markup(void **state)
{
    whole("<?xml version='1.0' encoding='UTF-8'?>\n<!-- <a b='1' c='2'> -->\n"
          "<r x=\"a > b\" y='<\"'><![CDATA[<e a='1'>]]><?pi <e>?>text &amp; more</r>\n");
    whole("<r\n  a = '1'\n  b\t=\t\"2\"\n/>");
    whole("<ns:r xmlns:ns='urn:x' ns:a='1'></ns:r>");
}

/* A syntax error stops the pass; libxml2 reads up to it (and a little
 * beyond) and names it, never the unchecked rest. */
static void stops_at_syntax_errors(void **state)
{
    char *rest = with_attrs("domain", 100000);
    char *xml = vr_asprintf("<r a='1'b='2'>%s</r>", rest);
    char *err = NULL;
    size_t parse_len = 0;
    assert_int_equal(vr_xml_check_limits(xml, strlen(xml), &parse_len, &err), 0);
    assert_true(parse_len < 100);
    xmlDoc *doc = vr_xml_read(xml, strlen(xml), "r", &err);
    assert_null(doc);
    assert_non_null(strstr(err, "line 1:"));
    free(err);
    free(xml);
    static const char *const broken[] = {"<r a>", "<r a=1>", "<r a='1>", "<!-- open", "<r =''>", "<"};
    for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
        xml = vr_asprintf("%s%s", broken[i], rest);
        err = NULL;
        assert_null(vr_xml_read(xml, strlen(xml), "r", &err));
        assert_non_null(err);
        free(err);
        free(xml);
    }
    free(rest);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(attributes),
        cmocka_unit_test(nodes_depth_names),
        cmocka_unit_test(nul_byte),
        cmocka_unit_test(valid_markup),
        cmocka_unit_test(stops_at_syntax_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
