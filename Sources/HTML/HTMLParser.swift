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

    static let parseOptions = Int32(HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue
        | HTML_PARSE_NOWARNING.rawValue | HTML_PARSE_NONET.rawValue)
        | Int32(XML_PARSE_HUGE.rawValue)

    /// Parses `bytes`, decoding them as `encoding` (an IANA name libxml2 knows,
    /// e.g. "UTF-8", "windows-1252", "Shift_JIS"), straight into an `HTMLTree`
    /// through SAX callbacks: libxml2 tokenizes and recovers as htmlReadMemory
    /// does, but builds no tree of its own. Returns nil when libxml2 gave up.
    public static func parse(_ bytes: UnsafeRawBufferPointer, encoding: String) -> HTMLTree? {
        _ = initialized
        // Per-thread error handlers: silence this thread too.
        pagepipe_silenceErrors()
        guard let base = bytes.baseAddress, bytes.count > 0 else { return HTMLTree() }
        let builder = TreeBuilder()
        var handler = saxHandler
        let rc = withUnsafeMutablePointer(to: &handler) { h in
            base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                pagepipe_saxParse(chars, Int32(clamping: bytes.count), encoding, parseOptions, h,
                                  Unmanaged.passUnretained(builder).toOpaque())
            }
        }
        guard rc == 0 else { return nil }
        builder.finish()
        return builder.tree
    }

    // Read-only after initialization; copied into each parser context.
    nonisolated(unsafe) private static let saxHandler: htmlSAXHandler = {
        var h = htmlSAXHandler()
        h.initialized = 1
        h.startElement = { ctx, name, atts in
            guard let ctx, let name else { return }
            TreeBuilder.from(ctx).start(name, atts)
        }
        h.endElement = { ctx, _ in
            guard let ctx else { return }
            TreeBuilder.from(ctx).end()
        }
        h.characters = { ctx, chars, length in
            guard let ctx, let chars, length > 0 else { return }
            TreeBuilder.from(ctx).text(chars, Int(length))
        }
        h.ignorableWhitespace = h.characters
        // Script and style content arrives as CDATA blocks.
        h.cdataBlock = { ctx, chars, length in
            guard let ctx, let chars, length > 0 else { return }
            TreeBuilder.from(ctx).cdata(chars, Int(length))
        }
        return h
    }()

    /// Whether libxml2 can decode `encoding`.
    public static func knowsEncoding(_ name: String) -> Bool {
        _ = initialized
        guard let handler = xmlFindCharEncodingHandler(name) else { return false }
        xmlCharEncCloseFunc(handler)
        return true
    }

}

/// Receives SAX events and appends nodes to an `HTMLTree`.
final class TreeBuilder {
    var tree = HTMLTree()
    private var stack: [Int32] = []
    /// Inside a script or style whose text is not kept.
    private var dropDepth = 0

    init() {
        tree.nodes.reserveCapacity(2048)
        tree.textBytes.reserveCapacity(32 * 1024)
    }

    static func from(_ ctx: UnsafeMutableRawPointer) -> TreeBuilder {
        Unmanaged<TreeBuilder>.fromOpaque(ctx).takeUnretainedValue()
    }

    func start(_ name: UnsafePointer<xmlChar>, _ atts: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        let tag = TagLookup.tag(name)
        let index = tree.appendElement(tag, parent: stack.last ?? -1, depth: Int32(stack.count))
        if tag == .unknown { tree.unknownNames[index] = String(cString: name) }
        var scriptType: String?
        if var p = atts {
            while let attrName = p.pointee {
                let value = p.advanced(by: 1).pointee
                if TagLookup.isKeptAttribute(attrName) {
                    let n = String(cString: attrName)
                    let v = value.map { String(cString: $0) } ?? ""
                    tree.appendAttribute(n, v, to: index)
                    if tag == .script && n == "type" { scriptType = v }
                }
                p = p.advanced(by: 2)
            }
        }
        stack.append(index)
        if dropDepth > 0 {
            dropDepth += 1
        } else if tag == .style || (tag == .script && !(scriptType?.lowercased().contains("ld+json") ?? false)) {
            // Script and style text is never needed, except JSON-LD metadata.
            dropDepth = 1
        }
    }

    func end() {
        guard let index = stack.popLast() else { return }
        tree.close(index)
        if dropDepth > 0 { dropDepth -= 1 }
    }

    func text(_ chars: UnsafePointer<xmlChar>, _ length: Int) {
        guard dropDepth == 0 else { return }
        tree.appendText(UnsafeBufferPointer(start: chars, count: length), parent: stack.last ?? -1,
                        depth: Int32(stack.count))
    }

    func cdata(_ chars: UnsafePointer<xmlChar>, _ length: Int) { text(chars, length) }

    func finish() {
        while let index = stack.popLast() { tree.close(index) }
    }
}

/// Element and attribute names from libxml2 (already lower case) to `Tag`s
/// and the kept-attribute test, without making a Swift String for each name:
/// names of up to 8 bytes are packed into an integer key.
enum TagLookup {
    private static let packedTags: [UInt64: Tag] = {
        var d: [UInt64: Tag] = [:]
        for (i, name) in Tag.names.enumerated() where name.utf8.count <= 8 {
            d[pack(Array(name.utf8))!] = Tag(rawValue: UInt16(i))
        }
        return d
    }()

    private static let packedAttributes: Set<UInt64> = Set(HTMLParser.keptAttributes.compactMap { pack(Array($0.utf8)) })
    private static let longAttributes: Set<String> = HTMLParser.keptAttributes.filter { $0.utf8.count > 8 }

    static func pack(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        var key: UInt64 = 0
        for (k, b) in bytes.enumerated() { key |= UInt64(b) << (8 * UInt64(k)) }
        return key
    }

    /// The packed key of a NUL-terminated name, or nil if longer than 8 bytes.
    @inline(__always)
    static func pack(_ name: UnsafePointer<xmlChar>) -> UInt64? {
        var key: UInt64 = 0
        for k in 0 ..< 9 {
            let b = name[k]
            if b == 0 { return key }
            if k == 8 { return nil }
            key |= UInt64(b) << (8 * UInt64(k))
        }
        return nil
    }

    static func tag(_ name: UnsafePointer<xmlChar>) -> Tag {
        if let key = pack(name) { return packedTags[key] ?? .unknown }
        return Tag(name: String(cString: name))
    }

    static func isKeptAttribute(_ name: UnsafePointer<xmlChar>) -> Bool {
        if let key = pack(name) { return packedAttributes.contains(key) }
        return longAttributes.contains(String(cString: name))
    }
}

extension HTMLParser {
    /// libxml2 alone: parse and free, building nothing in Swift. The floor that
    /// `pagepipe-dev bench` measures the pipeline against.
    package static func parseOnly(_ bytes: UnsafeRawBufferPointer, encoding: String) -> Bool {
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
