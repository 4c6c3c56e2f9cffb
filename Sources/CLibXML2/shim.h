#ifndef PAGEPIPE_CLIBXML2_SHIM_H
#define PAGEPIPE_CLIBXML2_SHIM_H

// libxml2's headers pull in the system ICU, whose UErrorCode then clashes with
// Foundation's copy on a clean build (swiftlang/swift#88485). We never use
// libxml2's ICU encoding handlers from Swift, so hide them.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/globals.h>
#include <zlib.h>

// xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void pagepipe_xmlFree(void *p) { xmlFree(p); }

// Error callback that drops everything: pages are broken by nature, and the
// parser recovers; messages would only cost time.
static void pagepipe_silentStructuredError(void *ctx, xmlErrorPtr err) { (void)ctx; (void)err; }

static inline void pagepipe_silenceErrors(void) {
    xmlThrDefSetStructuredErrorFunc(NULL, pagepipe_silentStructuredError);
    xmlSetStructuredErrorFunc(NULL, pagepipe_silentStructuredError);
}

#endif
