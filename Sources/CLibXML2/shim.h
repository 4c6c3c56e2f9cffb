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
#include <string.h>

// xmlFree is a global function pointer, which Swift 6 rejects as shared mutable state.
static inline void pagepipe_xmlFree(void *p) { xmlFree(p); }

// Error callback that drops everything: pages are broken by nature, and the
// parser recovers; messages would only cost time.
static void pagepipe_silentStructuredError(void *ctx, xmlErrorPtr err) { (void)ctx; (void)err; }

static inline void pagepipe_silenceErrors(void) {
    xmlThrDefSetStructuredErrorFunc(NULL, pagepipe_silentStructuredError);
    xmlSetStructuredErrorFunc(NULL, pagepipe_silentStructuredError);
}

// Parses with our SAX callbacks instead of building libxml2's tree: same
// tokenizer and recovery rules as htmlReadMemory (htmlCtxtReadMemory sets the
// encoding the same way, so a declared <meta charset> cannot override it),
// without allocating and freeing a node per element. The context is made
// first so that the callbacks can ask it where in the input they are.
static inline htmlParserCtxtPtr pagepipe_saxContext(const htmlSAXHandler *handler, void *user) {
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL) return NULL;
    if (ctxt->sax == NULL) { htmlFreeParserCtxt(ctxt); return NULL; }
    memcpy(ctxt->sax, handler, sizeof(htmlSAXHandler));
    ctxt->userData = user;
    return ctxt;
}

// Returns 0 on success. The caller frees the context.
static inline int pagepipe_saxRead(htmlParserCtxtPtr ctxt, const char *buffer, int size,
                                   const char *encoding, int options) {
    htmlDocPtr doc = htmlCtxtReadMemory(ctxt, buffer, size, NULL, encoding, options);
    if (doc != NULL) xmlFreeDoc(doc);
    return 0;
}

// The parser's byte offset in its (UTF-8) input: inside a start-element
// callback, the '>' (or "/>") that ends the tag; inside an end-element or
// comment callback, just past what closed it. -1 when unknown.
static inline long pagepipe_inputOffset(htmlParserCtxtPtr ctxt) {
    if (ctxt == NULL || ctxt->input == NULL || ctxt->input->cur == NULL || ctxt->input->base == NULL) return -1;
    return (long)ctxt->input->consumed + (long)(ctxt->input->cur - ctxt->input->base);
}

#endif
