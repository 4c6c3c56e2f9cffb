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

    /// Parses `bytes` decoded as `decision` says into an `HTMLTree`, reading
    /// the text a browser shows: malformed bytes cost one U+FFFD each, never
    /// the rest of the page (see `Transcode`); where libxml2's HTML4-era rules
    /// would hide text that an HTML5 parser shows, the page is mended and
    /// parsed again (see `TreeBuilder.Edit`). Ruby readings (`rt`, `rp`, `rtc`)
    /// are left out unless `rubyReadings`. Returns nil when libxml2 gave up.
    public static func parse(_ bytes: UnsafeRawBufferPointer, as decision: Charset.Decision,
                             rubyReadings: Bool = false) -> HTMLTree? {
        _ = initialized
        // Per-thread error handlers: silence this thread too.
        pagepipe_silenceErrors()
        let body = UnsafeRawBufferPointer(rebasing: bytes[min(decision.skip, bytes.count)...])
        guard body.count > 0 else { return HTMLTree() }
        if decision.source == .utf8Valid {
            return parseUTF8(body, rubyReadings: rubyReadings)
        }
        let b = body.bindMemory(to: UInt8.self)
        let utf8 = decision.encoding.uppercased() == "UTF-8"
        if utf8 && Charset.isValidUTF8(b) {
            return parseUTF8(body, rubyReadings: rubyReadings)
        }
        guard let decoded = Transcode.toUTF8(b, from: decision.encoding) else {
            // A charset libxml2 has built in but this system's iconv lacks:
            // libxml2 decodes it, and stops where its decoder fails.
            let builder = TreeBuilder(input: nil, dropRuby: !rubyReadings)
            return read(body, encoding: decision.encoding, into: builder) ? builder.tree : nil
        }
        return decoded.withUnsafeBytes { parseUTF8($0, rubyReadings: rubyReadings) }
    }

    /// Parses `bytes` in `encoding` (an IANA name libxml2 knows, e.g. "UTF-8",
    /// "windows-1252", "Shift_JIS"), as `parse(_:as:)` does.
    public static func parse(_ bytes: UnsafeRawBufferPointer, encoding: String, rubyReadings: Bool = false) -> HTMLTree? {
        parse(bytes, as: Charset.Decision(encoding: encoding, source: .declared, skip: 0), rubyReadings: rubyReadings)
    }

    /// Valid UTF-8 into a tree.
    static func parseUTF8(_ input: UnsafeRawBufferPointer, rubyReadings: Bool) -> HTMLTree? {
        var input = input
        // A second byte-order mark is no text either (and libxml2 would skip it,
        // putting its offsets three bytes off ours).
        while input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            input = UnsafeRawBufferPointer(rebasing: input[3...])
        }
        // libxml2 takes a NUL byte anywhere but in text for the end of the
        // page; HTML5 drops it from text (and makes it U+FFFD elsewhere).
        if let base = input.baseAddress, memchr(base, 0, input.count) != nil {
            let cleaned = input.filter { $0 != 0 }
            return cleaned.withUnsafeBytes { parseMending($0, rubyReadings: rubyReadings) }
        }
        return parseMending(input, rubyReadings: rubyReadings)
    }

    /// Mending rounds before the bytes are taken as they are: each round can
    /// uncover what the previous one hid (a second abrupt comment inside the
    /// text the first one swallowed).
    static let mendingRounds = 4

    /// Parses, and while the parse found places where libxml2 and HTML5 part
    /// ways, parses the mended bytes again. Pages without one parse once.
    static func parseMending(_ input: UnsafeRawBufferPointer, rubyReadings: Bool) -> HTMLTree? {
        var mended: [UInt8]?
        var round = 0
        while true {
            let checking = round < mendingRounds
            let pass: (tree: HTMLTree?, next: [UInt8]?) = {
                func run(_ bytes: UnsafeRawBufferPointer) -> (HTMLTree?, [UInt8]?) {
                    let builder = TreeBuilder(input: checking ? bytes : nil, dropRuby: !rubyReadings)
                    guard read(bytes, encoding: "UTF-8", into: builder) else { return (nil, nil) }
                    if builder.edits.isEmpty { return (builder.tree, nil) }
                    return (builder.tree, TreeBuilder.apply(builder.edits, to: bytes))
                }
                if let mended { return mended.withUnsafeBytes(run) }
                return run(input)
            }()
            guard let next = pass.next else { return pass.tree }
            mended = next
            round += 1
        }
    }

    /// One libxml2 SAX pass over `bytes` into `builder`.
    static func read(_ bytes: UnsafeRawBufferPointer, encoding: String, into builder: TreeBuilder) -> Bool {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        var handler = saxHandler
        let ctxt = withUnsafeMutablePointer(to: &handler) { h in
            pagepipe_saxContext(h, Unmanaged.passUnretained(builder).toOpaque())
        }
        guard let ctxt else { return false }
        defer { htmlFreeParserCtxt(ctxt) }
        builder.ctxt = ctxt
        // End tags libxml2 ignores reach us only as errors (per thread, like the handler).
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(builder).toOpaque(), errorHook)
        let rc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            pagepipe_saxRead(ctxt, chars, Int32(clamping: bytes.count), encoding, parseOptions)
        }
        pagepipe_silenceErrors()
        builder.ctxt = nil
        guard rc == 0 else { return false }
        builder.finish()
        return true
    }

    /// libxml2 reports an end tag it ignores as "Opening and ending tag
    /// mismatch" (XML_ERR_TAG_NAME_MISMATCH, the end tag's name in `str1`).
    private static let errorHook: xmlStructuredErrorFunc = { ctx, error in
        guard let ctx, let error, error.pointee.code == Int32(XML_ERR_TAG_NAME_MISMATCH.rawValue),
              let name = error.pointee.str1 else { return }
        TreeBuilder.from(ctx).mismatchedEndTag(UnsafeRawPointer(name).assumingMemoryBound(to: xmlChar.self))
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
        h.comment = { ctx, value in
            guard let ctx, let value else { return }
            TreeBuilder.from(ctx).comment(value)
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
///
/// With the input at hand (`input`), it also notes where libxml2 2.9's
/// HTML4-era rules part ways with HTML5's in a way that hides text a browser
/// shows, as `edits` that mend the bytes for a second parse:
/// - `noscript` (read as browsers with scripting on do), `noembed`,
///   `noframes`, `xmp` hold raw text up to their first end tag, and
///   `title`, `textarea` text without tags; libxml2 parses markup there, and an
///   unclosed `<div>` inside makes it ignore the end tag, so the rest of the
///   page ends up inside (hidden, for noscript). Mended by escaping the content.
/// - `</template>` closes whatever is open inside the template; libxml2 ignores
///   it past an unclosed `<div>`. Mended by removing the (never shown) content.
/// - `</ul>`, `</nav>`, `</li>`, `</h2>`, `</a>` ... close whatever is left
///   open inside them (when in scope); libxml2 ignores them past an unclosed
///   `<div>`, and the element swallows the rest of the page (a hidden menu
///   hides the story). Mended by writing out the missing end tags.
/// - `<!-->` and `<!--->` are whole, empty comments; libxml2 reads on to the
///   next `-->`. Mended into `<!---->`.
/// Each is noticed cheaply: an element of these kinds that libxml2 closes
/// somewhere other than where HTML5 closes it, libxml2's own error for an end
/// tag it ignores, a comment whose text begins with ">" or "->". Pages without
/// one (none of the 218 dev pages) are parsed once. `iframe` is left out: its
/// content is never shown, and an unclosed one hides the page in browsers.
final class TreeBuilder {
    var tree = HTMLTree()
    private var stack: [Int32] = []
    /// Inside a script or style (or ruby reading) whose text is not kept.
    private var dropDepth = 0
    private let dropRuby: Bool
    /// The UTF-8 bytes libxml2 reads, when its offsets are offsets into them.
    private let input: UnsafeRawBufferPointer?
    var ctxt: htmlParserCtxtPtr?

    /// A change to the input: `range` replaced by `replacement`.
    struct Edit: Equatable {
        var range: Range<Int>
        var replacement: [UInt8]
    }
    private(set) var edits: [Edit] = []

    private enum ContentModel { case rawText, rcdata, template }

    /// An open element whose close libxml2 may misplace: where HTML5 closes it.
    private struct Expectation {
        var element: Int32
        var model: ContentModel
        var content: Range<Int>
        /// Offset just past the end tag that closes it in HTML5.
        var closedAt: Int
    }
    private var expectations: [Expectation] = []
    /// Offset after the last start tag, text or comment libxml2 reported.
    private var lastContent = 0
    /// Open raw-text elements: libxml2 parses markup inside them that HTML5
    /// reads as text, so nothing there is a tag to mend.
    private var rawDepth = 0

    init(input: UnsafeRawBufferPointer?, dropRuby: Bool) {
        self.input = input
        self.dropRuby = dropRuby
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
        } else if dropRuby && (tag == .rt || tag == .rp || tag == .rtc) {
            // Readings over the base text: the sentence a reader reads is the base.
            dropDepth = 1
        }
        if input != nil { lastContent = offset() }
        if let model = Self.contentModel(tag) {
            if rawDepth == 0 && input != nil { expect(index, tag, model) }
            if model != .template { rawDepth += 1 }
        }
    }

    func end() {
        guard let index = stack.popLast() else { return }
        tree.close(index)
        if dropDepth > 0 { dropDepth -= 1 }
        if let model = Self.contentModel(tree.nodes[Int(index)].tag), model != .template {
            rawDepth -= 1
        }
        if let e = expectations.last, e.element == index {
            expectations.removeLast()
            if offset() != e.closedAt { mend(e) }
        }
    }

    func text(_ chars: UnsafePointer<xmlChar>, _ length: Int) {
        if input != nil { lastContent = offset() }
        guard dropDepth == 0 else { return }
        tree.appendText(UnsafeBufferPointer(start: chars, count: length), parent: stack.last ?? -1,
                        depth: Int32(stack.count))
    }

    func cdata(_ chars: UnsafePointer<xmlChar>, _ length: Int) { text(chars, length) }

    func comment(_ value: UnsafePointer<xmlChar>) {
        guard let input else { return }
        lastContent = offset()
        guard rawDepth == 0, value[0] == UInt8(ascii: ">") || (value[0] == UInt8(ascii: "-") && value[1] == UInt8(ascii: ">")) else { return }
        // libxml2 read "<!-->" or "<!--->" as the start of a comment that ran to the next "-->".
        let end = offset()
        let start = end - 3 - strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self)) - 4
        let opener = value[0] == UInt8(ascii: ">") ? 5 : 6
        guard start >= 0, end <= input.count, Self.matches(input, at: start, "<!--"),
              Self.matches(input, at: end - 3, "-->") else { return }
        edits.append(Edit(range: start ..< start + opener, replacement: Array("<!---->".utf8)))
    }

    /// libxml2 met the end tag `name` and may have ignored it: it lets an end
    /// tag close only elements of no higher "end priority" than its own (div
    /// 150, table parts 160-190, others 100), so `</li>`, `</nav>`,
    /// `</section>`, `</a>` ... past an unclosed `<div>` are dropped and the
    /// element swallows what follows (hidden with it, if it is hidden). HTML5
    /// closes whatever is open inside these elements, if the element is in
    /// scope; the mend writes those end tags out before the ignored one.
    /// Stray `</br>` and `</p>` are mended in the tree at once.
    func mismatchedEndTag(_ name: UnsafePointer<xmlChar>) {
        guard rawDepth == 0 else { return }
        let tag = TagLookup.tag(name)
        // HTML5 reads "</br>" as "<br>", and a "</p>" with no p open as "<p></p>";
        // libxml2 drops both, gluing the words on either side into one.
        if tag == .br || (tag == .p && !stack.contains { tree.nodes[Int($0)].tag == .p }) {
            let index = tree.appendElement(tag, parent: stack.last ?? -1, depth: Int32(stack.count))
            tree.close(index)
            return
        }
        guard let input, Self.closesThrough.contains(tag) else { return }
        // Replay libxml2's decision (htmlAutoCloseOnClose) on our copy of its stack.
        let priority = Self.endPriority(tag)
        var k = stack.count - 1
        var ignored = false
        while k >= 0 {
            let t = tree.nodes[Int(stack[k])].tag
            if t == tag { break }
            if Self.endPriority(t) > priority { ignored = true }
            // HTML5 ignores the end tag too when the element is out of scope.
            if Self.scopeBoundaries.contains(t) || (tag == .li && (t == .ul || t == .ol)) || (tag == .p && t == .button) {
                return
            }
            k -= 1
        }
        guard k >= 0, ignored else { return }
        // The end tag was just read: it ends at the offset, starts at the last "<" before.
        let end = offset()
        guard end > 0, end <= input.count else { return }
        var at = end - 1
        while at >= 0 && input[at] != UInt8(ascii: "<") { at -= 1 }
        guard at >= 0, Self.isTag(Array(tag.name.utf8), slash: true, in: input, at: at) else { return }
        var closing: [UInt8] = []
        for j in stride(from: stack.count - 1, to: k, by: -1) {
            closing += Array("</\(tree.name(of: Int(stack[j])))>".utf8)
        }
        edits.append(Edit(range: at ..< at, replacement: closing))
    }

    /// End tags that HTML5 lets close the elements open inside theirs: the
    /// "special" block elements, list items, headings, p, and the formatting
    /// elements (the adoption agency closes them, moving the block out).
    /// Template and the raw-text elements have mends of their own.
    static let closesThrough: Set<Tag> = Set([
        "address", "article", "aside", "blockquote", "button", "center", "details", "dialog", "dir",
        "dl", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main",
        "menu", "nav", "ol", "pre", "search", "section", "summary", "ul", "li", "dd", "dt",
        "h1", "h2", "h3", "h4", "h5", "h6", "p",
        "a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u",
    ].map { Tag(name: $0) })

    /// HTML5's "has an element in scope" stops at these.
    static let scopeBoundaries: Set<Tag> = Set(["caption", "html", "table", "td", "th", "marquee", "object", "template"].map { Tag(name: $0) })

    /// libxml2 2.9's htmlEndPriority table.
    static func endPriority(_ tag: Tag) -> Int {
        switch tag {
        case .div: return 150
        case .td, .th: return 160
        case .tr: return 170
        case .thead, .tbody, .tfoot: return 180
        case .table: return 190
        case .head, .body: return 200
        case .html: return 220
        default: return 100
        }
    }

    func finish() {
        while let index = stack.popLast() { tree.close(index) }
        // An abrupt "<!-->" with no "-->" after it: libxml2 dropped the rest of
        // the page as an unfinished comment, reporting nothing past its start.
        if let input, lastContent >= 0,
           let lt = Self.firstIndex(of: UInt8(ascii: "<"), in: input, from: lastContent, to: input.count),
           Self.matches(input, at: lt, "<!--") {
            let opener = Self.matches(input, at: lt + 4, ">") ? 5 : Self.matches(input, at: lt + 4, "->") ? 6 : 0
            if opener > 0 { edits.append(Edit(range: lt ..< lt + opener, replacement: Array("<!---->".utf8))) }
        }
    }

    private func offset() -> Int { ctxt.map { Int(pagepipe_inputOffset($0)) } ?? -1 }

    private static func contentModel(_ tag: Tag) -> ContentModel? {
        switch tag {
        case .noscript, .noembed, .noframes, .xmp: return .rawText
        case .title, .textarea: return .rcdata
        case .template: return .template
        default: return nil
        }
    }

    /// Notes where HTML5 ends element `index`, when libxml2 could end it elsewhere.
    private func expect(_ index: Int32, _ tag: Tag, _ model: ContentModel) {
        guard let input else { return }
        let at = offset()
        // The start tag ends here with ">". After "/>", libxml2 has closed the
        // element already and what follows is outside it: nothing to mend there.
        guard at >= 0, at < input.count, input[at] == UInt8(ascii: ">") else { return }
        let contentStart = at + 1
        let name = Array(tag.name.utf8)
        let close = model == .template ? Self.matchingTemplateEnd(input, from: contentStart)
                                       : Self.endTag(name, in: input, from: contentStart)
        // Content without markup is read alike by both.
        guard let lt = Self.firstIndex(of: UInt8(ascii: "<"), in: input, from: contentStart, to: close.start),
              lt < close.start else { return }
        expectations.append(Expectation(element: index, model: model, content: contentStart ..< close.start,
                                        closedAt: close.end))
    }

    private func mend(_ e: Expectation) {
        guard let input else { return }
        var replacement: [UInt8] = []
        switch e.model {
        case .template:
            break // never shown: the content goes
        case .rawText, .rcdata:
            replacement.reserveCapacity(e.content.count + 64)
            for k in e.content {
                let c = input[k]
                if c == UInt8(ascii: "<") {
                    replacement.append(contentsOf: Array("&lt;".utf8))
                } else if c == UInt8(ascii: "&") && e.model == .rawText {
                    replacement.append(contentsOf: Array("&amp;".utf8))
                } else {
                    replacement.append(c)
                }
            }
        }
        edits.append(Edit(range: e.content, replacement: replacement))
    }

    /// `input` with `edits` applied; an edit inside an earlier one is dropped
    /// (the outer one rewrote its bytes already).
    static func apply(_ edits: [Edit], to input: UnsafeRawBufferPointer) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + 256)
        var done = 0
        for edit in edits.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) where edit.range.lowerBound >= done {
            out.append(contentsOf: input[done ..< edit.range.lowerBound])
            out.append(contentsOf: edit.replacement)
            done = edit.range.upperBound
        }
        out.append(contentsOf: input[done...])
        return out
    }

    // MARK: byte searches

    /// Whether `input` at `i` holds `s` (punctuation, exactly).
    static func matches(_ input: UnsafeRawBufferPointer, at i: Int, _ s: StaticString) -> Bool {
        let n = s.utf8CodeUnitCount
        guard i >= 0, i + n <= input.count else { return false }
        let p = s.utf8Start
        for k in 0 ..< n where input[i + k] != p[k] { return false }
        return true
    }

    static func firstIndex(of byte: UInt8, in input: UnsafeRawBufferPointer, from: Int, to: Int) -> Int? {
        guard from < to, let base = input.baseAddress else { return nil }
        guard let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// Whether `input` at `i` holds `<` or `</` (per `slash`) and then `name`
    /// (lower case; the input's case does not matter), ended as HTML5 ends a
    /// tag name (space, "/", ">" or the end).
    static func isTag(_ name: [UInt8], slash: Bool, in input: UnsafeRawBufferPointer, at i: Int) -> Bool {
        var j = i + 1
        if slash {
            guard j < input.count, input[j] == UInt8(ascii: "/") else { return false }
            j += 1
        }
        guard j + name.count <= input.count else { return false }
        for k in 0 ..< name.count where input[j + k] | 0x20 != name[k] { return false }
        j += name.count
        guard j < input.count else { return true }
        switch input[j] {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x20, UInt8(ascii: "/"), UInt8(ascii: ">"): return true
        default: return false
        }
    }

    /// The first `</name` from `from` (where raw text ends) and the offset just
    /// past its ">"; the end of the input for both when there is none.
    static func endTag(_ name: [UInt8], in input: UnsafeRawBufferPointer, from: Int) -> (start: Int, end: Int) {
        var i = from
        while let lt = firstIndex(of: UInt8(ascii: "<"), in: input, from: i, to: input.count) {
            if isTag(name, slash: true, in: input, at: lt) {
                let gt = firstIndex(of: UInt8(ascii: ">"), in: input, from: lt, to: input.count)
                return (lt, gt.map { $0 + 1 } ?? input.count)
            }
            i = lt + 1
        }
        return (input.count, input.count)
    }

    /// The `</template` that closes a template whose content starts at `from`,
    /// counting the templates nested inside it.
    static func matchingTemplateEnd(_ input: UnsafeRawBufferPointer, from: Int) -> (start: Int, end: Int) {
        let name = Array("template".utf8)
        var depth = 0
        var i = from
        while let lt = firstIndex(of: UInt8(ascii: "<"), in: input, from: i, to: input.count) {
            if isTag(name, slash: false, in: input, at: lt) {
                depth += 1
            } else if isTag(name, slash: true, in: input, at: lt) {
                if depth == 0 {
                    let gt = firstIndex(of: UInt8(ascii: ">"), in: input, from: lt, to: input.count)
                    return (lt, gt.map { $0 + 1 } ?? input.count)
                }
                depth -= 1
            }
            i = lt + 1
        }
        return (input.count, input.count)
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
