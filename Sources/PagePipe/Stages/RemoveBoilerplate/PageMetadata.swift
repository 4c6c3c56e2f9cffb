import HTML

/// Title, canonical URL, publication date, site and author, from the markup
/// publishers put there for search engines and social networks: OpenGraph and
/// `article:` meta tags, JSON-LD, `<link rel=canonical>`, `<time>`, `<h1>`, `<title>`.
struct PageMetadata {
    var title: String?
    var url: String?
    var date: String?
    var site: String?
    var author: String?

    init(tree: HTMLTree) {
        var og: [String: String] = [:]
        var named: [String: String] = [:]
        var canonical: String?
        var titleTag: String?
        var firstH1: String?
        var timeValue: String?
        var itempropDate: String?
        var itempropAuthor: String?
        var ld = LinkedData()
        let nodes = tree.nodes
        var i = 0
        while i < nodes.count {
            let node = nodes[i]
            switch node.tag {
            case .meta:
                if let content = tree.attribute("content", of: i)?.trimmed, !content.isEmpty {
                    if let p = tree.attribute("property", of: i)?.lowercased() {
                        if og[p] == nil { og[p] = content }
                    }
                    if let n = tree.attribute("name", of: i)?.lowercased() {
                        if named[n] == nil { named[n] = content }
                    }
                    if let ip = tree.attribute("itemprop", of: i) {
                        if ip == "datePublished", itempropDate == nil { itempropDate = content }
                        if ip == "author", itempropAuthor == nil { itempropAuthor = content }
                    }
                }
            case .link:
                if canonical == nil, let rel = tree.attribute("rel", of: i)?.lowercased(),
                   rel.split(separator: " ").contains("canonical"),
                   let href = tree.attribute("href", of: i)?.trimmed, !href.isEmpty {
                    canonical = href
                }
            case .title:
                if titleTag == nil { titleTag = tree.rawText(under: i).folded }
            case .h1:
                if firstH1 == nil {
                    let t = tree.rawText(under: i).folded
                    if !t.isEmpty { firstH1 = t }
                }
            case .time:
                if timeValue == nil, let dt = tree.attribute("datetime", of: i)?.trimmed, !dt.isEmpty {
                    timeValue = dt
                }
            case .script:
                // parse-html keeps the text of JSON-LD scripts only.
                if node.end > Int32(i + 1) {
                    ld.read(tree.rawText(under: i))
                }
            default:
                if itempropDate == nil, node.tag != .text, node.attributeCount > 0,
                   tree.attribute("itemprop", of: i) == "datePublished" {
                    itempropDate = tree.attribute("datetime", of: i) ?? tree.attribute("content", of: i)
                }
            }
            i += 1
        }

        site = og["og:site_name"] ?? ld.site ?? named["application-name"]
        let rawTitle = og["og:title"] ?? named["twitter:title"] ?? ld.headline ?? firstH1 ?? titleTag
        title = rawTitle.map { Self.stripSiteSuffix($0, site: site) }.flatMap { $0.isEmpty ? nil : $0 }
        url = canonical ?? og["og:url"]
        let dates = [og["article:published_time"], ld.datePublished, itempropDate,
                     named["article:published_time"], named["date"], named["pubdate"],
                     named["publishdate"], named["dc.date.issued"], named["dc.date"],
                     named["parsely-pub-date"], named["sailthru.date"], og["og:published_time"],
                     timeValue, og["article:modified_time"], ld.dateModified]
        date = dates.lazy.compactMap { $0.flatMap(Self.isoDate) }.first
        let authors = [named["author"], ld.author, itempropAuthor, og["article:author"], named["byl"]]
        author = authors.lazy.compactMap { a -> String? in
            guard let a = a?.folded, !a.isEmpty, !a.contains("://"), a.count < 120 else { return nil }
            return a
        }.first
    }

    /// "Headline | Site", "Headline - Site" -> "Headline".
    static func stripSiteSuffix(_ title: String, site: String?) -> String {
        let t = title.folded
        let bytes = Array(t.utf8)
        for separator in [" | ", " – ", " — ", " - ", " :: ", " · ", " » "] {
            guard let at = lastIndex(of: Array(separator.utf8), in: bytes) else { continue }
            let head = String(decoding: bytes[..<at], as: UTF8.self).folded
            let tail = String(decoding: bytes[(at + separator.utf8.count)...], as: UTF8.self).folded
            if let site, !site.isEmpty, tail.lowercased() == site.folded.lowercased() { return head }
            // Without a site name, only a short tail is taken for one.
            if tail.split(separator: " ").count <= 4, head.split(separator: " ").count >= 3 { return head }
        }
        return t
    }

    private static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var i = haystack.count - needle.count
        while i >= 0 {
            if haystack[i] == needle[0] && haystack[i ..< i + needle.count].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    /// An ISO 8601 date or date-time taken from a value that starts with one
    /// ("2019-11-19T10:00:00Z", "2019-11-19 10:00", "20191119"); nil otherwise.
    static func isoDate(_ value: String) -> String? {
        let v = Array(value.trimmed.utf8)
        func digits(_ r: Range<Int>) -> Bool { r.upperBound <= v.count && v[r].allSatisfy { $0 >= 48 && $0 <= 57 } }
        if digits(0 ..< 4), v.count >= 10, v[4] == UInt8(ascii: "-"), digits(5 ..< 7), v[7] == UInt8(ascii: "-"), digits(8 ..< 10) {
            var end = 10
            if v.count >= 16, v[10] == UInt8(ascii: "T") || v[10] == UInt8(ascii: " "), digits(11 ..< 13), v[13] == UInt8(ascii: ":"), digits(14 ..< 16) {
                end = v.count
                var out = Array(v[0 ..< end])
                out[10] = UInt8(ascii: "T")
                // Stop at anything that is not part of a time or offset.
                var k = 11
                while k < out.count, (out[k] >= 48 && out[k] <= 57) || [UInt8(ascii: ":"), UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "Z")].contains(out[k]) { k += 1 }
                return String(decoding: out[0 ..< k], as: UTF8.self)
            }
            return String(decoding: v[0 ..< end], as: UTF8.self)
        }
        if v.count == 8, digits(0 ..< 8) {
            let s = String(decoding: v, as: UTF8.self)
            let a = s.index(s.startIndex, offsetBy: 4), b = s.index(a, offsetBy: 2)
            return "\(s[..<a])-\(s[a..<b])-\(s[b...])"
        }
        return nil
    }
}

/// The fields of schema.org JSON-LD blocks that describe an article.
private struct LinkedData {
    var headline: String?
    var datePublished: String?
    var dateModified: String?
    var author: String?
    var site: String?

    mutating func read(_ text: String) {
        guard let json = try? JSONParser.parse(text) else { return }
        visit(json, depth: 0)
    }

    private mutating func visit(_ v: JSONValue, depth: Int) {
        guard depth < 6 else { return }
        switch v {
        case .array(let items):
            for item in items { visit(item, depth: depth + 1) }
        case .object:
            if let graph = v["@graph"] { visit(graph, depth: depth + 1) }
            let type: String = {
                if let s = v["@type"]?.stringValue { return s }
                if case .array(let a)? = v["@type"] { return a.compactMap(\.stringValue).joined(separator: " ") }
                return ""
            }()
            guard type.contains("Article") || type.contains("Posting") || type.contains("NewsArticle")
                    || type.contains("Report") || type == "WebPage" else { return }
            if headline == nil, let h = v["headline"]?.stringValue { headline = h.folded }
            if datePublished == nil, let d = v["datePublished"]?.stringValue { datePublished = d }
            if dateModified == nil, let d = v["dateModified"]?.stringValue { dateModified = d }
            if author == nil { author = Self.name(v["author"]) }
            if site == nil { site = Self.name(v["publisher"]) }
        default:
            break
        }
    }

    private static func name(_ v: JSONValue?) -> String? {
        switch v {
        case .string(let s)?: return s.folded
        case .object?: return v?["name"]?.stringValue?.folded
        case .array(let items)?:
            let names = items.compactMap { name($0) }
            return names.isEmpty ? nil : names.joined(separator: ", ")
        default: return nil
        }
    }
}

extension String {
    /// Trimmed of ASCII and Unicode white space.
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }

    /// Runs of white space folded to one space, trimmed.
    var folded: String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
