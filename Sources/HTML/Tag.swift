/// An HTML element name, interned to a small integer so that walking a tree
/// compares integers instead of strings. Names outside the table are `unknown`
/// (custom elements keep their name in `HTMLTree.unknownNames`).
public struct Tag: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Looks up a lower-case element name.
    public init(name: String) {
        self.init(rawValue: Tag.index[name] ?? Tag.unknown.rawValue)
    }

    public var name: String { Tag.names[Int(rawValue)] }
    public var description: String { name }

    /// All names the table knows, in raw-value order. Index 0 is text, 1 unknown.
    public static let names: [String] = [
        "#text", "#unknown",
        "a", "abbr", "address", "area", "article", "aside", "audio", "b", "base", "bdi", "bdo",
        "blockquote", "body", "br", "button", "canvas", "caption", "center", "cite", "code",
        "col", "colgroup", "data", "datalist", "dd", "del", "details", "dfn", "dialog", "dir",
        "div", "dl", "dt", "em", "embed", "fieldset", "figcaption", "figure", "font", "footer",
        "form", "frame", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "head", "header",
        "hgroup", "hr", "html", "i", "iframe", "img", "input", "ins", "kbd", "label", "legend",
        "li", "link", "main", "map", "mark", "menu", "meta", "meter", "nav", "noscript",
        "object", "ol", "optgroup", "option", "output", "p", "param", "picture", "pre",
        "progress", "q", "rp", "rt", "ruby", "s", "samp", "script", "search", "section",
        "select", "small", "source", "span", "strike", "strong", "style", "sub", "summary",
        "sup", "svg", "table", "tbody", "td", "template", "textarea", "tfoot", "th", "thead",
        "time", "title", "tr", "track", "tt", "u", "ul", "var", "video", "wbr", "math",
        "noframes", "noembed", "marquee", "xmp", "listing", "plaintext", "big", "nobr",
        "rb", "rtc",
    ]

    private static let index: [String: UInt16] = {
        var d: [String: UInt16] = [:]
        for (i, n) in names.enumerated() { d[n] = UInt16(i) }
        return d
    }()

    public static let text = Tag(rawValue: 0)
    public static let unknown = Tag(rawValue: 1)
    public static let a = Tag(name: "a")
    public static let article = Tag(name: "article")
    public static let aside = Tag(name: "aside")
    public static let blockquote = Tag(name: "blockquote")
    public static let body = Tag(name: "body")
    public static let br = Tag(name: "br")
    public static let button = Tag(name: "button")
    public static let caption = Tag(name: "caption")
    public static let code = Tag(name: "code")
    public static let dd = Tag(name: "dd")
    public static let details = Tag(name: "details")
    public static let dialog = Tag(name: "dialog")
    public static let div = Tag(name: "div")
    public static let dl = Tag(name: "dl")
    public static let dt = Tag(name: "dt")
    public static let figcaption = Tag(name: "figcaption")
    public static let figure = Tag(name: "figure")
    public static let footer = Tag(name: "footer")
    public static let form = Tag(name: "form")
    public static let h1 = Tag(name: "h1")
    public static let h2 = Tag(name: "h2")
    public static let h3 = Tag(name: "h3")
    public static let h4 = Tag(name: "h4")
    public static let h5 = Tag(name: "h5")
    public static let h6 = Tag(name: "h6")
    public static let head = Tag(name: "head")
    public static let header = Tag(name: "header")
    public static let hr = Tag(name: "hr")
    public static let html = Tag(name: "html")
    public static let iframe = Tag(name: "iframe")
    public static let img = Tag(name: "img")
    public static let input = Tag(name: "input")
    public static let label = Tag(name: "label")
    public static let li = Tag(name: "li")
    public static let link = Tag(name: "link")
    public static let main = Tag(name: "main")
    public static let menu = Tag(name: "menu")
    public static let meta = Tag(name: "meta")
    public static let nav = Tag(name: "nav")
    public static let noscript = Tag(name: "noscript")
    public static let ol = Tag(name: "ol")
    public static let option = Tag(name: "option")
    public static let p = Tag(name: "p")
    public static let pre = Tag(name: "pre")
    public static let script = Tag(name: "script")
    public static let section = Tag(name: "section")
    public static let select = Tag(name: "select")
    public static let span = Tag(name: "span")
    public static let style = Tag(name: "style")
    public static let summary = Tag(name: "summary")
    public static let svg = Tag(name: "svg")
    public static let table = Tag(name: "table")
    public static let tbody = Tag(name: "tbody")
    public static let td = Tag(name: "td")
    public static let template = Tag(name: "template")
    public static let textarea = Tag(name: "textarea")
    public static let th = Tag(name: "th")
    public static let thead = Tag(name: "thead")
    public static let tfoot = Tag(name: "tfoot")
    public static let time = Tag(name: "time")
    public static let title = Tag(name: "title")
    public static let tr = Tag(name: "tr")
    public static let ul = Tag(name: "ul")
    public static let math = Tag(name: "math")
    public static let object = Tag(name: "object")
    public static let video = Tag(name: "video")
    public static let audio = Tag(name: "audio")
    public static let canvas = Tag(name: "canvas")
    public static let map = Tag(name: "map")
    public static let noframes = Tag(name: "noframes")
    public static let noembed = Tag(name: "noembed")
    public static let xmp = Tag(name: "xmp")
    public static let rt = Tag(name: "rt")
    public static let rp = Tag(name: "rp")
    public static let rtc = Tag(name: "rtc")

    /// Elements that start a new line of text: block-level and table structure.
    public var isBlock: Bool { Tag.blockTable[Int(rawValue)] }

    /// Elements whose content is never visible text.
    public var isInvisible: Bool { Tag.invisibleTable[Int(rawValue)] }

    /// h1 ... h6.
    public var isHeading: Bool { rawValue >= Tag.h1.rawValue && rawValue <= Tag.h6.rawValue }

    private static let blockTable: [Bool] = {
        let block: Set<String> = [
            "address", "article", "aside", "blockquote", "body", "br", "caption", "center",
            "dd", "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption",
            "figure", "footer", "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6",
            "header", "hgroup", "hr", "html", "legend", "li", "listing", "main", "menu",
            "nav", "ol", "option", "p", "plaintext", "pre", "search", "section", "summary",
            "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "xmp", "select",
            "textarea", "iframe", "video", "audio", "canvas", "title", "optgroup", "marquee",
        ]
        return names.map { block.contains($0) }
    }()

    private static let invisibleTable: [Bool] = {
        let invisible: Set<String> = [
            "head", "script", "style", "template", "noscript", "noframes", "noembed", "title",
            "meta", "link", "base", "param", "source", "track", "datalist", "area",
        ]
        return names.map { invisible.contains($0) }
    }()
}
