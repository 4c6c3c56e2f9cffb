import Foundation
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
        // Raw tag values in locals: the loop runs over every node of the page.
        let meta = Tag.meta.rawValue, link = Tag.link.rawValue, titleTagValue = Tag.title.rawValue
        let h1 = Tag.h1.rawValue, time = Tag.time.rawValue, script = Tag.script.rawValue
        let text = Tag.text.rawValue
        var i = 0
        while i < nodes.count {
            let node = nodes[i]
            switch node.tag.rawValue {
            case text:
                break
            case meta:
                if let content = tree.attribute("content", of: i)?.trimmed, !content.isEmpty {
                    if let p = tree.attribute("property", of: i)?.lowercased() {
                        if og[p] == nil { og[p] = content }
                    }
                    if let n = tree.attribute("name", of: i)?.lowercased() {
                        if named[n] == nil { named[n] = content }
                    }
                    if let ip = tree.attribute("itemprop", of: i) {
                        let props = ip.split(separator: " ")
                        if props.contains("datePublished"), itempropDate == nil { itempropDate = content }
                        if props.contains("author"), itempropAuthor == nil { itempropAuthor = content }
                    }
                }
            case link:
                if canonical == nil, let rel = tree.attribute("rel", of: i)?.lowercased(),
                   rel.split(separator: " ").contains("canonical"),
                   let href = tree.attribute("href", of: i)?.trimmed, !href.isEmpty {
                    canonical = href
                }
            case titleTagValue:
                if titleTag == nil { titleTag = tree.rawText(under: i).folded }
            case h1:
                if firstH1 == nil {
                    let t = tree.rawText(under: i).folded
                    if !t.isEmpty { firstH1 = t }
                }
            case time:
                if timeValue == nil, let dt = tree.attribute("datetime", of: i)?.trimmed, !dt.isEmpty {
                    timeValue = dt
                }
            case script:
                // parse-html keeps the text of JSON-LD scripts only.
                if node.end > Int32(i + 1) {
                    ld.read(tree.rawText(under: i))
                }
            default:
                if itempropDate == nil, node.attributeCount > 0,
                   let ip = tree.attribute("itemprop", of: i), ip.split(separator: " ").contains("datePublished") {
                    itempropDate = tree.attribute("datetime", of: i) ?? tree.attribute("content", of: i)
                }
            }
            i += 1
        }

        site = og["og:site_name"] ?? ld.site ?? named["application-name"]
        let rawTitle = og["og:title"] ?? named["twitter:title"] ?? ld.headline ?? firstH1 ?? titleTag
        title = rawTitle.map { Self.stripSiteSuffix($0, site: site) }.flatMap { $0.isEmpty ? nil : $0 }
        url = canonical ?? og["og:url"]
        let dates = [og["article:published_time"], og["article:published"], ld.datePublished, itempropDate,
                     named["article:published_time"], named["date"], named["pubdate"],
                     named["publishdate"], named["dc.date.issued"], named["dc.date"],
                     named["parsely-pub-date"], named["sailthru.date"], named["pdate"], og["og:published_time"],
                     timeValue, og["article:modified_time"], ld.dateModified]
        date = dates.lazy.compactMap { $0.flatMap(Self.isoDate) }.first
        let authors = [named["author"], ld.author, itempropAuthor, og["article:author"], named["byl"]]
        author = authors.lazy.compactMap { a -> String? in
            guard var a = a?.folded, !a.contains("://"), a.count < 120 else { return nil }
            // "By Jane Doe" in a byline-shaped meta tag.
            if a.lowercased().hasPrefix("by ") { a = String(a.dropFirst(3)).folded }
            return a.isEmpty ? nil : a
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

    /// An ISO 8601 date or date-time from a metadata value: kept as it is when
    /// it already is one ("2019-11-19T10:00:00Z", "2019-11-19 10:00" gets its
    /// "T"), else the date alone from "20191119", "2019/11/19", "19.11.2019",
    /// "November 19, 2019, 07:47 PM EST", "Tue Nov 19 2019 05:44:06 GMT".
    /// Placeholders before 1900 ("0001-01-01") are refused.
    static func isoDate(_ value: String) -> String? {
        let v = Array(value.trimmed.utf8)
        func digits(_ r: Range<Int>) -> Bool { r.upperBound <= v.count && v[r].allSatisfy { $0 >= 48 && $0 <= 57 } }
        if digits(0 ..< 4), v.count >= 10, v[4] == UInt8(ascii: "-"), digits(5 ..< 7), v[7] == UInt8(ascii: "-"), digits(8 ..< 10) {
            guard plausible(year: number(v[0 ..< 4]), month: number(v[5 ..< 7]), day: number(v[8 ..< 10])) else { return nil }
            if v.count >= 16, v[10] == UInt8(ascii: "T") || v[10] == UInt8(ascii: " "), digits(11 ..< 13), v[13] == UInt8(ascii: ":"), digits(14 ..< 16) {
                var out = v
                out[10] = UInt8(ascii: "T")
                // Stop at anything that is not part of a time or offset.
                let timeBytes: [UInt8] = Array(":.+-Z".utf8)
                var k = 11
                while k < out.count, (out[k] >= 48 && out[k] <= 57) || timeBytes.contains(out[k]) { k += 1 }
                return String(decoding: out[0 ..< k], as: UTF8.self)
            }
            return String(decoding: v[0 ..< 10], as: UTF8.self)
        }
        return looseDate(v)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int {
        // Saturates: a run of digits longer than any date part must not overflow
        // (found by the fuzzer: Tests/Fuzz/regressions/remove-boilerplate-long-digit-run).
        bytes.reduce(0) { min($0, 1_000_000_000) * 10 + Int($1) - 48 }
    }

    private static func plausible(year: Int, month: Int, day: Int) -> Bool {
        year >= 1900 && year <= 2100 && (1 ... 12).contains(month) && (1 ... 31).contains(day)
    }

    private static func format(_ y: Int, _ m: Int, _ d: Int) -> String? {
        guard plausible(year: y, month: m, day: d) else { return nil }
        return String(format: "%04d-%02d-%02d", y, m, d)
    }

    /// Month names in the languages whose sites put them in metadata most.
    private static let months: [String: Int] = {
        var d: [String: Int] = [:]
        let names = [
            ["jan", "january", "januar", "janvier", "enero", "gennaio"],
            ["feb", "february", "februar", "février", "febrero", "febbraio"],
            ["mar", "march", "märz", "mars", "marzo"],
            ["apr", "april", "avril", "abril", "aprile"],
            ["may", "mai", "mayo", "maggio"],
            ["jun", "june", "juni", "juin", "junio", "giugno"],
            ["jul", "july", "juli", "juillet", "julio", "luglio"],
            ["aug", "august", "août", "agosto"],
            ["sep", "sept", "september", "septembre", "septiembre", "settembre"],
            ["oct", "october", "oktober", "okt", "octobre", "octubre", "ottobre"],
            ["nov", "november", "novembre", "noviembre"],
            ["dec", "december", "dezember", "dez", "décembre", "diciembre", "dicembre"],
        ]
        for (k, list) in names.enumerated() { for n in list { d[n] = k + 1 } }
        return d
    }()

    private static func looseDate(_ v: [UInt8]) -> String? {
        // Compact 20191119.
        if v.count == 8, v.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            return format(number(v[0 ..< 4]), number(v[4 ..< 6]), number(v[6 ..< 8]))
        }
        // Split into numbers and words.
        var numbers: [(value: Int, width: Int)] = []
        var month: Int?
        var word: [UInt8] = []
        var digitsRun: [UInt8] = []
        func flush() {
            if !digitsRun.isEmpty { numbers.append((number(digitsRun[...]), digitsRun.count)); digitsRun = [] }
            if !word.isEmpty {
                let w = String(decoding: word, as: UTF8.self).lowercased()
                if month == nil, let m = months[w] { month = m }
                word = []
            }
        }
        for b in v {
            if b >= 48 && b <= 57 {
                if !word.isEmpty { flush() }
                digitsRun.append(b)
            } else if (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b >= 0x80 {
                if !digitsRun.isEmpty { flush() }
                word.append(b)
            } else {
                flush()
            }
        }
        flush()
        guard let yearIndex = numbers.firstIndex(where: { $0.width == 4 }) else { return nil }
        let year = numbers[yearIndex].value
        if let month {
            // "November 19, 2019", "19. November 2019", "Tue Nov 19 2019".
            let day = numbers.first { $0.width <= 2 }?.value ?? 0
            return format(year, month, day)
        }
        if yearIndex == 0, numbers.count >= 3 { return format(year, numbers[1].value, numbers[2].value) }  // 2019/11/19
        if yearIndex == 2 { return format(year, numbers[1].value, numbers[0].value) }                      // 19.11.2019
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
