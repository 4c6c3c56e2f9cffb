/// What an element's `class` and `id` say about its role, in words that page
/// authors use across languages (class names are mostly English even on German
/// or Korean sites). Values are split into tokens at non-letters and at
/// camelCase humps ("articleBody" -> article, body; "share-bar" -> share, bar),
/// so "sharing" does not need "share" as a substring rule and "headline" is not
/// mistaken for "ad".
struct ClassHints {
    struct Verdict {
        /// Readability-style weight: -25 per attribute naming boilerplate,
        /// +25 per attribute naming content.
        var weight: Int = 0
        /// Names boilerplate so plainly (nav, share, comments, cookie, ...)
        /// that the element is dropped unless it holds the bulk of the text.
        var junk = false
        /// Names a comment section.
        var comments = false

        mutating func add(_ other: Verdict) {
            weight += other.weight
            junk = junk || other.junk
            comments = comments || other.comments
        }
    }

    /// Tokens that mark an element as page furniture rather than the story.
    static let negative: Set<String> = [
        "ad", "ads", "adv", "advert", "advertisement", "advertising", "adsense", "adslot", "dfp",
        "banner", "breadcrumb", "breadcrumbs", "byline", "combx", "comment", "comments", "commentlist",
        "community", "contact", "cookie", "cookies", "consent", "gdpr", "disqus", "donate", "donation",
        "donations", "foot", "footer", "footnote", "masthead", "media", "meta", "menu", "modal",
        "nav", "navbar", "navigation", "newsletter", "outbrain", "taboola", "pagination", "pager",
        "popular", "popup", "promo", "promotion", "promoted", "recommended",
        "recommendation", "recommendations", "related", "remark", "replies", "rss", "scroll",
        "share", "sharing", "sharebar", "shoutbox", "sidebar", "skyscraper", "social", "sponsor",
        "sponsored", "shopping", "signup", "subscribe", "subscription", "tags", "tag", "toolbar",
        "tools", "tool", "trending", "widget", "widgets", "login", "signin", "register", "print",
        "email", "follow", "topics", "teaser", "teasers", "offer", "upsell", "support", "appeal",
        "werbung", "anzeige", "kommentare", "kommentar", "teilen", "newsticker", "empfehlung",
        "empfehlungen", "weiterlesen", "publicidad", "compartir", "comentarios", "relacionados",
        "partage", "commentaires", "publicite", "reklama", "komentarze", "cmp", "onetrust", "didomi",
        "author", "bio", "copyright", "credits", "legal", "disclaimer", "more", "readmore", "next",
        "prev", "hidden", "aside", "rail", "caption", "credit", "gallery", "slideshow", "slider",
        "carousel", "lightbox", "overlay", "dialog", "tooltip", "pub", "sticky", "header",
    ]

    /// Tokens so specific to furniture that the element goes outright.
    static let junkTokens: Set<String> = [
        "breadcrumb", "breadcrumbs", "comment", "comments", "commentlist", "cookie", "cookies",
        "consent", "gdpr", "disqus", "donate", "donation", "donations", "newsletter", "outbrain",
        "taboola", "popup", "modal", "share", "sharing", "sharebar", "shoutbox",
        "skyscraper", "social", "sponsored", "signup", "subscribe", "related",
        "recommended", "recommendations", "trending", "navbar", "navigation", "nav", "menu",
        "footer", "sidebar", "advert", "advertisement", "adsense", "adslot", "dfp", "ads",
        "werbung", "anzeige", "kommentare", "teilen", "upsell", "empfehlungen", "publicidad",
        "compartir", "comentarios", "relacionados", "partage", "commentaires", "publicite", "reklama",
        "komentarze", "cmp", "onetrust", "didomi", "appeal", "pagination", "pager",
        "overlay", "tooltip", "tags", "promo", "widget", "widgets", "caption", "credit", "slideshow",
        "slider", "carousel", "lightbox",
    ]

    static let commentTokens: Set<String> = [
        "comment", "comments", "commentlist", "disqus", "replies", "kommentare", "kommentar",
        "comentarios", "commentaires", "komentarze",
    ]

    /// Tokens that mark the story's container.
    static let positive: Set<String> = [
        "article", "articlebody", "body", "content", "entry", "hentry", "main", "post", "text",
        "blog", "story", "storybody", "prose", "artikel", "inhalt", "page", "column",
    ]

    private static let isNegative: UInt8 = 1, isJunk: UInt8 = 2, isComment: UInt8 = 4, isPositive: UInt8 = 8

    /// One lookup per token instead of one per list.
    private static let flags: [String: UInt8] = {
        var d: [String: UInt8] = [:]
        for t in negative { d[t, default: 0] |= isNegative }
        for t in junkTokens { d[t, default: 0] |= isJunk }
        for t in commentTokens { d[t, default: 0] |= isComment }
        for t in positive { d[t, default: 0] |= isPositive }
        return d
    }()

    /// Stems that also mark furniture inside run-together names:
    /// "relatedposts", "sharedaddy", "postcomments", "footerwrap".
    static let junkStems: [String] = [
        "related", "comment", "share", "social", "newsletter", "subscribe", "sidebar", "footer",
        "cookie", "sponsor", "promo", "advert", "breadcrumb", "kommentar", "donat",
    ]

    /// Run-together names that start with a stem but name content.
    /// ("subscriber-content" marks premium story text on news sites.)
    static let stemExceptions: Set<String> = [
        "commentary", "commentaries", "shared", "promoter", "subscriber", "subscribers", "shareholder", "shareholders",
    ]

    private static let stemBytes: [[UInt8]] = junkStems.map { Array($0.utf8) }

    private static func stemFlags(_ token: String, _ bytes: ArraySlice<UInt8>) -> UInt8 {
        guard bytes.count > 5, !stemExceptions.contains(token) else { return 0 }
        for (k, stem) in stemBytes.enumerated() where bytes.count > stem.count {
            if bytes.prefix(stem.count).elementsEqual(stem) || bytes.suffix(stem.count).elementsEqual(stem) {
                let comment = junkStems[k] == "comment" || junkStems[k] == "kommentar"
                return isNegative | isJunk | (comment ? isComment : 0)
            }
        }
        return 0
    }

    /// Judges one element's class and id.
    static func verdict(class cls: String?, id: String?, comments keepComments: Bool) -> Verdict {
        var v = Verdict()
        for value in [cls, id] {
            guard let value, !value.isEmpty else { continue }
            v.add(verdict(value, comments: keepComments))
        }
        return v
    }

    /// The verdict on one attribute value.
    static func verdict(_ value: String, comments keepComments: Bool) -> Verdict {
        var v = Verdict()
        var neg = false, pos = false, junk = false
        forEachToken(value) { token, bytes in
            let f = flags[token] ?? stemFlags(token, bytes)
            guard f != 0 else { return }
            if f & isNegative != 0 {
                let comment = f & isComment != 0
                if comment { v.comments = true }
                if !(comment && keepComments) {
                    neg = true
                    if f & isJunk != 0 { junk = true }
                }
            }
            if f & isPositive != 0 { pos = true }
        }
        if neg { v.weight -= 25 }
        if pos { v.weight += 25 }
        // Junk even beside a content word ("post-comments", "article-share",
        // "main-nav"); wrappers named both ("content-sidebar-wrap") are spared
        // later for the text they hold.
        v.junk = junk
        return v
    }

    /// Verdicts remembered per attribute value, for one page: class values
    /// repeat on most elements.
    struct Cache {
        let keepComments: Bool
        private var seen: [String: Verdict] = [:]
        init(keepComments: Bool) { self.keepComments = keepComments }

        mutating func verdict(class cls: String?, id: String?) -> Verdict {
            var v = Verdict()
            if let cls, !cls.isEmpty {
                if let known = seen[cls] {
                    v.add(known)
                } else {
                    let fresh = ClassHints.verdict(cls, comments: keepComments)
                    seen[cls] = fresh
                    v.add(fresh)
                }
            }
            if let id, !id.isEmpty { v.add(ClassHints.verdict(id, comments: keepComments)) }
            return v
        }
    }

    /// Calls `body` with each lower-case token of an attribute value. Splits at
    /// every byte that is not an ASCII letter or digit, and before an upper-case
    /// letter that follows a lower-case one. Non-ASCII letters end a token, as
    /// class names in other scripts carry no hints we know.
    static func forEachToken(_ value: String, _ body: (String, ArraySlice<UInt8>) -> Void) {
        var token: [UInt8] = []
        token.reserveCapacity(24)
        var previousLower = false
        func flush() {
            if !token.isEmpty && token.count <= 24 { body(String(decoding: token, as: UTF8.self), token[...]) }
            token.removeAll(keepingCapacity: true)
        }
        for b in value.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                token.append(b)
                previousLower = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                if previousLower { flush() }
                token.append(b + 32)
                previousLower = false
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                token.append(b)
                previousLower = false
            default:
                flush()
                previousLower = false
            }
        }
        flush()
    }
}
