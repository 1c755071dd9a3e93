/* softswitch: the P4-16 core library.
 * Declares the same names and signatures as the core.p4 shipped with p4c,
 * so programs compile unchanged with either. */

#ifndef _CORE_P4_
#define _CORE_P4_

/* Built-in error codes (BMv2 numbers them 0..6 in this order). */
error {
    NoError,
    PacketTooShort,
    NoMatch,
    StackOutOfBounds,
    HeaderTooShort,
    ParserTimeout,
    ParserInvalidArgument
}

/* Input packet, read by the parser. */
extern packet_in {
    /* Copy the next bits of the packet into a fixed-size header. */
    void extract<T>(out T hdr);
    /* Copy the next bits into a header with one varbit field of the given size. */
    void extract<T>(out T variableSizeHeader,
                    in bit<32> variableFieldSizeInBits);
    /* Read the next bits without consuming them. */
    T lookahead<T>();
    /* Skip the given number of bits. */
    void advance(in bit<32> sizeInBits);
    /* Packet length in bytes. */
    bit<32> length();
}

/* Output packet, written by the deparser. */
extern packet_out {
    /* Append a header (or stack, union, or struct of them) if valid. */
    void emit<T>(in T hdr);
}

/* In a parser: if check is false, set the parser error and reject. */
extern void verify(in bool check, in error toSignal);

/* The action that does nothing; the default of tables with no default_action. */
@noWarn("unused")
action NoAction() {}

/* Match kinds every target knows. */
match_kind {
    exact,
    ternary,
    lpm
}

/* Compile-time assertion; evaluates to true when it holds. */
extern bool static_assert(bool check, string message);
extern bool static_assert(bool check);

#endif  /* _CORE_P4_ */
