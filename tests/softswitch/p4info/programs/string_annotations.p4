/* P4Info golden program: string literals and annotations.
 *
 * p4c keeps a string literal's text as written, escapes included: @name("odd\"name") names the
 * action `Ing.odd\"name` (with the backslash, which the ID hash also sees), and @brief, @description,
 * structured annotation strings and the @controller_header name keep their backslashes too.
 * Annotations p4c parses before writing P4Info (@noWarn, @deprecated, @controller_header, ...) are
 * printed with the string escaped again; the others (including BMv2's @alias and @priority, parsed
 * only later) are printed token by token as written. @length(3 + 4) is folded to @length(7).
 */
#include <core.p4>
#include <v1model.p4>

@p4runtime_translation("u\"ri", 32) type bit<9> tport_t;

@controller_header("pack\"in")
header pin_t { bit<9> port; bit<7> pad; }
header h_t { bit<8> a; }
struct headers_t { pin_t pin; h_t h; }
struct meta_t { bit<8> x; tport_t tp; }

parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}

control VC(inout headers_t hdr, inout meta_t m) { apply { } }

control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    @brief("tab\there q\"x\" bs\\ nl\n end") @description("d\'e \x41")
    @my_anno("a\\b\"c") @other_anno("t\tu", 3)
    @s1["a\"b", "c\\d"] @s2[k="v\"w"]
    action a1() { m.x = 1; }

    @name("odd\"name") action a2() { m.x = 2; }

    @deprecated("x\"y\\z\tq") @alias("al\"ias") @noWarn("un\"used")
    action a3(tport_t p) { m.tp = p; }

    @priority(1) @alias("a\tb") @metadata @field_list(1,2) @length(3+4) @match(exact)
    @something(-1, 0x10, 8w3, "s")
    action a4() { m.x = 4; }

    table t {
        key = { m.x: exact @name("k\\ey"); }
        actions = { a1; a2; a3; a4; }
    }
    apply { t.apply(); }
}

control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.pin); pkt.emit(hdr.h); } }

@pkginfo(name="n\"a") @brief("main\"brief")
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
