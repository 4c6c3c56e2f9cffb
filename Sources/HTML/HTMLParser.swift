import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// Parses HTML with libxml2 into an `HTMLTree`. This file and `Gzip.swift` are
/// the only Swift that touches C; every libxml2 pointer is freed here, once.
public enum HTMLParser {
    /// Attributes kept on elements; the rest are dropped to save time and memory.
    public static let keptAttributes: Set<String> = [
        "id", "class", "role", "itemprop", "itemtype", "itemscope", "property", "name",
        "content", "rel", "href", "datetime", "type", "hidden", "aria-hidden", "aria-label",
        "style", "lang", "charset", "http-equiv", "pubdate", "title", "alt", "data-testid",
    ]

    static let initialized: Bool = {
        xmlInitParser()
        pagepipe_silenceErrors()
        return true
    }()

    /// Parses `bytes`, decoding them as `encoding` (an IANA name libxml2 knows,
    /// e.g. "UTF-8", "windows-1252", "Shift_JIS"). Returns nil when libxml2
    /// produced no document at all.
    public static func parse(_ bytes: UnsafeRawBufferPointer, encoding: String) -> HTMLTree? {
        _ = initialized
        // Per-thread error handlers: silence this thread too.
        pagepipe_silenceErrors()
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
            | Int32(XML_PARSE_HUGE.rawValue)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return HTMLTree() }
        let doc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            htmlReadMemory(chars, Int32(clamping: bytes.count), nil, encoding, options)
        }
        guard let doc else { return nil }
        defer { xmlFreeDoc(doc) }
        return convert(doc)
    }

    /// Whether libxml2 can decode `encoding`.
    public static func knowsEncoding(_ name: String) -> Bool {
        _ = initialized
        guard let handler = xmlFindCharEncodingHandler(name) else { return false }
        xmlCharEncCloseFunc(handler)
        return true
    }

    private static func convert(_ doc: htmlDocPtr) -> HTMLTree {
        var tree = HTMLTree()
        tree.nodes.reserveCapacity(1024)
        tree.textBytes.reserveCapacity(16 * 1024)
        // Iterative pre-order walk: pages nest tens of thousands deep.
        var stack: [(node: xmlNodePtr, index: Int32)] = []
        var current = doc.pointee.children
        var parent: Int32 = -1
        while true {
            if let node = current {
                var descend = false
                switch node.pointee.type {
                case XML_ELEMENT_NODE:
                    let name = String(cString: node.pointee.name)
                    let tag = Tag(name: name)
                    let depth = Int32(stack.count)
                    let index = tree.appendElement(tag, parent: parent, depth: depth)
                    if tag == .unknown { tree.unknownNames[index] = name }
                    var attr = node.pointee.properties
                    var scriptType: String? = nil
                    while let a = attr {
                        let attrName = String(cString: a.pointee.name).lowercased()
                        if keptAttributes.contains(attrName) {
                            let value = attributeValue(a)
                            tree.appendAttribute(attrName, value, to: index)
                            if attrName == "type" { scriptType = value }
                        }
                        attr = a.pointee.next
                    }
                    // Script and style text is never needed, except JSON-LD metadata.
                    if tag == .script {
                        descend = scriptType?.lowercased().contains("ld+json") ?? false
                    } else if tag == .style {
                        descend = false
                    } else {
                        descend = true
                    }
                    if descend, node.pointee.children != nil {
                        stack.append((node, index))
                        parent = index
                        current = node.pointee.children
                        continue
                    }
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = node.pointee.content {
                        let length = strlen(content)
                        content.withMemoryRebound(to: UInt8.self, capacity: length) {
                            tree.appendText(UnsafeBufferPointer(start: $0, count: length),
                                            parent: parent, depth: Int32(stack.count))
                        }
                    }
                default:
                    break // comments, processing instructions, DTD
                }
                current = node.pointee.next
            } else {
                guard let top = stack.popLast() else { break }
                tree.close(top.index)
                parent = stack.last?.index ?? -1
                current = top.node.pointee.next
            }
        }
        return tree
    }

    private static func attributeValue(_ attr: xmlAttrPtr) -> String {
        guard let child = attr.pointee.children else { return "" }
        if child.pointee.next == nil, let content = child.pointee.content {
            return String(cString: content)
        }
        guard let value = xmlNodeListGetString(attr.pointee.doc, child, 1) else { return "" }
        defer { pagepipe_xmlFree(value) }
        return String(cString: value)
    }
}

extension HTMLParser {
    /// libxml2 alone: parse and free, building nothing in Swift. The floor that
    /// `pagepipe-dev bench` measures the pipeline against.
    public static func parseOnly(_ bytes: UnsafeRawBufferPointer, encoding: String) -> Bool {
        _ = initialized
        pagepipe_silenceErrors()
        let options = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
            | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
            | Int32(XML_PARSE_HUGE.rawValue)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
        let doc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            htmlReadMemory(chars, Int32(clamping: bytes.count), nil, encoding, options)
        }
        guard let doc else { return false }
        xmlFreeDoc(doc)
        return true
    }
}
