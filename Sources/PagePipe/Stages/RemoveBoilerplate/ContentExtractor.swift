import Foundation
import HTML

/// Finds the article in a parsed page and renders it as text.
///
/// 1. Furniture goes first: invisible elements, controls, embeds, landmarks
///    (nav, header, footer, aside, role=navigation/banner/...), and elements
///    whose class or id name boilerplate (share, comments, cookie, related,
///    ...) unless they hold long paragraphs, most of the page, or quotes.
/// 2. Every text block (the nearest block element of a run of text) with 25+
///    characters that are not link text scores 1 + commas + length/100 (max 3)
///    and hands that score to five ancestors, decaying with distance
///    (readability's scheme); ancestors start from a tag prior and their class
///    weight, and end scaled by (1 - link density).
/// 3. The best ancestor becomes the content root; near-equal candidates close
///    by pull it up to their common ancestor (a story in chunks), it climbs to
///    an ancestor that scores better than itself, and it takes siblings that
///    score close to it or are clean paragraphs.
/// 4. Inside the roots: the headline and byline/dateline above the story,
///    figures and captions, link lists, inline link clusters (hover cards),
///    link-only lines, forms, short text-less blocks and minor blocks whose
///    class says boilerplate are dropped; the rest is rendered.
/// When the roots keep too little text, the whole body is cleaned the same way.
///
/// Features are counted in Unicode scalars (CJK double) and in punctuation of
/// several scripts, and class names are read as tokens: no language's word
/// list is the signal.
struct ContentExtractor {
    struct Settings {
        var keepComments = false
        var keepTables = true
        /// -1 favours precision, 0 balanced, +1 favours recall.
        var bias = 0.0
        /// Below this many characters in the best root, fall back to the whole page.
        var minText = 250
        var keepHeadline = false
        /// Author names from the page's metadata, to recognize the byline.
        var author: String?
        var explain = false
    }

    struct Result {
        var text: String
        var trace: JSONValue?
        /// Characters of text kept (CJK double), to compare attempts.
        var kept = 0
    }

    /// Extracts the article of `tree`. Landmarks (header, aside, role=banner,
    /// ...) are removed outright; only when that leaves too little text is the
    /// page read again with landmarks that hold most of its text spared, for
    /// the odd site that wraps its story in one. The retry keeps the common
    /// case fast.
    static func extract(tree: HTMLTree, settings: Settings) -> Result {
        var first = ContentExtractor(tree: tree, settings: settings, spareLandmarks: false)
        let result = first.run()
        guard result.kept < settings.minText else { return result }
        var second = ContentExtractor(tree: tree, settings: settings, spareLandmarks: true)
        let retry = second.run()
        return retry.kept > result.kept * 3 / 2 ? retry : result
    }

    let tree: HTMLTree
    let settings: Settings
    let spareLandmarks: Bool
    let n: Int

    // Per node, index-aligned with tree.nodes.
    private var dead: [Bool]          // removed before scoring, own or inherited
    private var deadWhy: [UInt8]      // own reason (or a pending one, settled in pass 2)
    private var inLink: [Bool]
    private var inQuote: [Bool]
    private var blockOf: [Int32]      // nearest block element, itself included
    private var weight: [Int16]       // class/id weight
    private var textChars: [Int32]    // text nodes: non-space scalars, CJK double
    private var textCommas: [Int32]
    private var textStops: [Int32]
    /// Text features summed over an element's live descendants; the
    /// `direct` ones count only the text a block owns itself (not nested blocks).
    struct Counts {
        var chars: Int32 = 0, linkChars: Int32 = 0, commas: Int32 = 0
        var directChars: Int32 = 0, directLink: Int32 = 0, directCommas: Int32 = 0, directStops: Int32 = 0
        var pCount: Int32 = 0, liCount: Int32 = 0, imgCount: Int32 = 0, headingChars: Int32 = 0
        /// Text inside <blockquote>: quotes and embedded posts.
        var quoteChars: Int32 = 0
        var linkCount: Int32 = 0
    }
    private var agg: [Counts]

    private var score: [Float]
    private var isCandidate: [Bool]

    init(tree: HTMLTree, settings: Settings, spareLandmarks: Bool = false) {
        self.tree = tree
        self.settings = settings
        self.spareLandmarks = spareLandmarks
        n = tree.count
        dead = Array(repeating: false, count: n)
        deadWhy = Array(repeating: 0, count: n)
        inLink = Array(repeating: false, count: n)
        inQuote = Array(repeating: false, count: n)
        blockOf = Array(repeating: -1, count: n)
        weight = Array(repeating: 0, count: n)
        textChars = Array(repeating: 0, count: n)
        textCommas = Array(repeating: 0, count: n)
        textStops = Array(repeating: 0, count: n)
        agg = Array(repeating: Counts(), count: n)
        score = Array(repeating: 0, count: n)
        isCandidate = Array(repeating: false, count: n)
    }

    // MARK: reasons

    enum Why: UInt8 {
        case none = 0, invisible, tag, role, classJunk, comments
        case headline, byline, caption, negativeClass, linkList, form, short, images, table, linkLine, listOfLinks
        var label: String {
            switch self {
            case .none: return "kept"
            case .invisible: return "hidden"
            case .tag: return "furniture tag"
            case .role: return "landmark role"
            case .classJunk: return "boilerplate class/id"
            case .comments: return "comments"
            case .headline: return "headline"
            case .caption: return "figure or caption"
            case .byline: return "byline or dateline"
            case .negativeClass: return "negative class/id, minor text"
            case .linkList: return "link density"
            case .form: return "form"
            case .short: return "short block"
            case .images: return "images without text"
            case .table: return "table (tables off)"
            case .linkLine: return "link-only line"
            case .listOfLinks: return "list items outnumber paragraphs"
            }
        }
    }

    // MARK: pass 1, forward: hard removals, link context, block ownership

    private static let furnitureTags = TagSet([
        .nav, .aside, .button, .select, .textarea, .input, .option, .svg, .iframe, .object,
        Tag(name: "embed"), .video, .audio, .canvas, .map, .dialog, .menu, .footer, .header,
        Tag(name: "label"), Tag(name: "fieldset"), Tag(name: "datalist"), Tag(name: "output"),
        Tag(name: "meter"), Tag(name: "progress"), Tag(name: "search"), .math,
    ])

    private static let furnitureRoles: Set<String> = [
        "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog",
        "menu", "menubar", "toolbar", "tablist", "alert", "form",
    ]

    private static let positiveItemprops: Set<String> = ["articleBody", "text", "reviewBody", "mainContentOfPage"]

    private mutating func markHard() {
        let nodes = tree.nodes
        var hints = ClassHints.Cache(keepComments: settings.keepComments)
        // Tags in locals: a static `Tag` costs a call per use in this loop.
        let text = Tag.text, a = Tag.a, blockquote = Tag.blockquote, br = Tag.br, hr = Tag.hr, li = Tag.li
        for i in 0 ..< n {
            let node = nodes[i]
            let p = Int(node.parent)
            let parentDead = p >= 0 && dead[p]
            if node.tag == text {
                dead[i] = parentDead
                if !parentDead {
                    inLink[i] = p >= 0 && (inLink[p] || nodes[p].tag == a)
                    inQuote[i] = p >= 0 && (inQuote[p] || nodes[p].tag == blockquote)
                    blockOf[i] = p >= 0 ? blockOf[p] : -1
                    countText(i)
                }
                continue
            }
            if parentDead { dead[i] = true; continue }
            inLink[i] = p >= 0 && (inLink[p] || nodes[p].tag == a)
            inQuote[i] = p >= 0 && (inQuote[p] || nodes[p].tag == blockquote)
            let tag = node.tag
            blockOf[i] = (tag.isBlock && tag != br && tag != hr) || tag == li ? Int32(i) : (p >= 0 ? blockOf[p] : -1)
            var why = Why.none
            if tag.isInvisible || TextRenderer.isHidden(tree, i) {
                why = .invisible
            } else if Self.furnitureTags.contains(tag) {
                why = .tag
            } else if node.attributeCount > 0 {
                // One pass over the attributes instead of a lookup per name.
                var cls: String?, id: String?
                for a in tree.attributes(of: i) {
                    switch a.name {
                    case "class": cls = a.value
                    case "id": id = a.value
                    case "role":
                        if Self.furnitureRoles.contains(a.value.lowercased()) { why = .role }
                    case "itemprop":
                        if Self.positiveItemprops.contains(a.value) { weight[i] += 25 }
                    default:
                        break
                    }
                }
                if cls != nil || id != nil {
                    let v = hints.verdict(class: cls, id: id)
                    weight[i] += Int16(v.weight)
                    if v.junk && why == .none && tag != .body && tag != .html {
                        // Decided in pass 2, once the subtree's text is counted.
                        deadWhy[i] = v.comments ? Why.comments.rawValue : Why.classJunk.rawValue
                    }
                }
            }
            if spareLandmarks && (why == .role || (why == .tag && Self.wrapperTags.contains(tag))) {
                // Landmarks can wrap a whole page on odd sites: decided in pass 2.
                deadWhy[i] = why.rawValue
            } else if why != .none {
                dead[i] = true
                deadWhy[i] = why.rawValue
            }
        }
    }

    private static let wrapperTags = TagSet([.header, .footer, .aside, .nav, .menu])

    /// Counts non-space scalars (CJK double), commas and sentence stops of text node `i`,
    /// in ASCII and the common CJK, Arabic and full-width forms.
    private mutating func countText(_ i: Int) {
        var c: Int32 = 0, commas: Int32 = 0, stops: Int32 = 0
        let bytes = tree.textBytes(of: i)
        var prev2: UInt8 = 0, prev1: UInt8 = 0
        for b in bytes {
            if b < 0x80 {
                if b > 0x20 {
                    c += 1
                    if b == 0x2C { commas += 1 } else if b == 0x2E || b == 0x21 || b == 0x3F { stops += 1 }
                }
            } else if b & 0xC0 != 0x80 {
                // CJK and Hangul (U+3000 to U+D7FF) say in one scalar what
                // alphabets say in two or three: count them double.
                c += b >= 0xE3 && b <= 0xED ? 2 : 1
            } else {
                // Last byte of a multi-byte scalar: check the punctuation we know.
                if prev1 == 0xD8 && b == 0x8C { commas += 1 }                           // ، Arabic comma
                else if prev2 == 0xE3 && prev1 == 0x80 && b == 0x81 { commas += 1 }     // 、
                else if prev2 == 0xE3 && prev1 == 0x80 && b == 0x82 { stops += 1 }      // 。
                else if prev2 == 0xEF && prev1 == 0xBC && b == 0x8C { commas += 1 }     // ，
                else if prev2 == 0xEF && prev1 == 0xBC && (b == 0x81 || b == 0x9F) { stops += 1 } // ！？
            }
            prev2 = prev1
            prev1 = b
        }
        textChars[i] = c
        textCommas[i] = commas
        textStops[i] = stops
    }

    // MARK: pass 2, backward: aggregate, then settle class-named junk

    /// Sums text features bottom-up over live nodes. Returns, per element, the
    /// text of its long clean paragraphs (150+ characters, few links).
    @discardableResult
    private mutating func aggregate() -> [Int32] {
        let nodes = tree.nodes
        var longText = Array(repeating: Int32(0), count: n)
        let text = Tag.text, a = Tag.a, para = Tag.p, li = Tag.li, img = Tag.img
        let h1 = Tag.h1.rawValue, h6 = Tag.h6.rawValue
        for i in stride(from: n - 1, through: 0, by: -1) {
            if dead[i] { continue }
            let node = nodes[i]
            let p = Int(node.parent)
            if node.tag == text {
                let c = textChars[i]
                guard c > 0 else { continue }
                let link = inLink[i] ? c : 0
                if p >= 0 {
                    agg[p].chars += c; agg[p].linkChars += link; agg[p].commas += textCommas[i]
                    if inQuote[i] { agg[p].quoteChars += c }
                }
                let b = Int(blockOf[i])
                if b >= 0 {
                    agg[b].directChars += c; agg[b].directLink += link
                    agg[b].directCommas += textCommas[i]; agg[b].directStops += textStops[i]
                }
                continue
            }
            let tag = node.tag
            if blockOf[i] == Int32(i) {
                let clean = agg[i].directChars - agg[i].directLink
                if clean >= 150 && agg[i].directLink * 4 < agg[i].directChars { longText[i] += clean }
            }
            if p >= 0 {
                longText[p] += longText[i]
                agg[p].chars += agg[i].chars; agg[p].linkChars += agg[i].linkChars; agg[p].commas += agg[i].commas
                agg[p].quoteChars += agg[i].quoteChars
                agg[p].linkCount += agg[i].linkCount + (tag == a ? 1 : 0)
                agg[p].pCount += agg[i].pCount + (tag == para ? 1 : 0)
                agg[p].liCount += agg[i].liCount + (tag == li ? 1 : 0)
                agg[p].imgCount += agg[i].imgCount + (tag == img ? 1 : 0)
                let heading = tag.rawValue >= h1 && tag.rawValue <= h6
                agg[p].headingChars += agg[i].headingChars + (heading ? agg[i].chars : 0)
            }
        }
        return longText
    }

    /// Settles the pending junk marks, outermost first. An element named junk
    /// by its class is spared when it holds long clean paragraphs or most of
    /// the page's text (a whole story wrapped in an odd class name), or mostly
    /// quotes; a landmark (header, aside, role=banner, ...) when it holds most
    /// of the page's text. Comment sections are never spared (with the
    /// `comments` option they are not junk in the first place).
    private mutating func decideJunk(longText: [Int32]) {
        let nodes = tree.nodes
        var pageClean: Int32 = 0
        for r in tree.children(of: -1) where !dead[r] && nodes[r].tag != .text { pageClean += agg[r].chars - agg[r].linkChars }
        for i in 0 ..< n {
            let p = Int(nodes[i].parent)
            if p >= 0 && dead[p] { dead[i] = true; continue }
            guard deadWhy[i] != 0, !dead[i] else { continue }
            let most = (agg[i].chars - agg[i].linkChars) * 2 >= pageClean && pageClean > 0
            let spare: Bool
            switch Why(rawValue: deadWhy[i]) {
            case .classJunk?: spare = longText[i] >= 1200 || holdsQuote(i) || most
            case .tag?, .role?: spare = most
            default: spare = false
            }
            if spare { deadWhy[i] = 0 } else { dead[i] = true }
        }
    }

    /// Recounts without the junk.
    private mutating func settle() {
        agg = Array(repeating: Counts(), count: n)
        aggregate()
    }

    private func isLinkCluster(_ i: Int) -> Bool {
        tree.nodes[i].tag != .text && agg[i].linkCount >= 3 && agg[i].linkChars * 10 >= agg[i].chars * 9
    }

    /// A line that spells out a web address is a cited source, which readers
    /// keep: "Source: http://example.org/report.pdf".
    private func citesAddress(_ i: Int) -> Bool {
        let text = tree.rawText(under: i)
        return text.containsBytes("://") || text.containsBytes("www.") || text.containsBytes("@")
    }

    /// Mostly quoted text: an embedded post or a pull quote, which readers
    /// count as part of the story even inside a "social-embed" box.
    private func holdsQuote(_ i: Int) -> Bool {
        agg[i].quoteChars >= 50 && agg[i].quoteChars * 2 >= agg[i].chars
    }

    // MARK: scoring

    private func prior(_ i: Int) -> Float {
        var s: Float
        switch tree.nodes[i].tag {
        case .div, .article, .main, .section: s = 5
        case .pre, .td, .blockquote: s = 3
        case .ol, .ul, .dl, .dd, .dt, .li, .form, Tag(name: "address"): s = -3
        case .h1, .h2, .h3, .h4, .h5, .h6, .th: s = -5
        default: s = 0
        }
        if tree.nodes[i].tag == .article || tree.nodes[i].tag == .main { s += 10 }
        return s + Float(weight[i])
    }

    private mutating func scoreBlocks() {
        let nodes = tree.nodes
        for i in 0 ..< n where !dead[i] && blockOf[i] == Int32(i) {
            let clean = agg[i].directChars - agg[i].directLink
            guard clean >= 25 else { continue }
            let s = 1 + Float(agg[i].directCommas) + Float(min(agg[i].directChars / 100, 3))
            var a = Int(nodes[i].parent)
            var level = 0
            while a >= 0 && level < 5 {
                if !isCandidate[a] {
                    isCandidate[a] = true
                    score[a] = prior(a)
                }
                let divider: Float = level == 0 ? 1 : (level == 1 ? 2 : Float(level * 3))
                score[a] += s / divider
                a = Int(nodes[a].parent)
                level += 1
            }
        }
        for i in 0 ..< n where isCandidate[i] {
            score[i] *= (1 - linkDensity(i))
        }
    }

    private func linkDensity(_ i: Int) -> Float {
        agg[i].chars > 0 ? Float(agg[i].linkChars) / Float(agg[i].chars) : 0
    }

    /// The nearest <article> element around or at `i`, -1 if none.
    private func enclosingArticle(_ i: Int) -> Int {
        var a = i
        while a >= 0 {
            if tree.nodes[a].tag == .article { return a }
            a = Int(tree.nodes[a].parent)
        }
        return -1
    }

    /// Whether a `tag` element is under `i`, removed or not (an h1 in a
    /// removed header still marks a story of its own).
    private func contains(_ tag: Tag, in i: Int) -> Bool {
        var k = i + 1
        let end = Int(tree.nodes[i].end)
        while k < end {
            if tree.nodes[k].tag == tag { return true }
            k += 1
        }
        return false
    }

    private func isAncestor(_ a: Int, of i: Int) -> Bool {
        a < i && i < Int(tree.nodes[a].end)
    }

    /// The content root and the siblings that join it, in document order.
    private func chooseRoots() -> (top: Int, roots: [Int])? {
        let nodes = tree.nodes
        var ranked: [(Int, Float)] = []
        for i in 0 ..< n where isCandidate[i] && nodes[i].tag != .html && nodes[i].tag != .body {
            ranked.append((i, score[i]))
        }
        guard !ranked.isEmpty else { return nil }
        ranked.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        var top = ranked[0].0
        let topScore = ranked[0].1
        // Paragraphs straight under <body> (old hand-made pages): the body
        // outscores any container, and is the root.
        if let body = tree.first(.body), isCandidate[body], score[body] > max(topScore * 3, 20) {
            return (body, [body])
        }

        // Near-equal candidates close together: the story is split into chunks
        // (or pages) and their common ancestor is the article.
        // A candidate in an <article> of its own, or under its own <h1>, is
        // another story (infinite scroll, a teaser), not a chunk of this one.
        let ownArticle = enclosingArticle(top)
        let alternatives = ranked.dropFirst().prefix(4).filter {
            $0.1 >= topScore * 0.75 && !isAncestor($0.0, of: top) && !isAncestor(top, of: $0.0)
                && enclosingArticle($0.0) == ownArticle && !contains(.h1, in: $0.0)
        }.map(\.0)
        if !alternatives.isEmpty {
            var a = Int(nodes[top].parent)
            var level = 1
            while a >= 0 && nodes[a].tag != .body && nodes[a].tag != .html {
                let inside = alternatives.filter { isAncestor(a, of: $0) }.count
                if inside >= 2 || (inside >= 1 && level <= 3) { top = a; break }
                a = Int(nodes[a].parent)
                level += 1
            }
        }

        // Climb to an ancestor that scores better than the root itself (its
        // text is split over several children); stop where scores fade.
        var parent = Int(nodes[top].parent)
        let base = score[top]
        while parent >= 0 && nodes[parent].tag != .body && nodes[parent].tag != .html {
            if !isCandidate[parent] { parent = Int(nodes[parent].parent); continue }
            let ps = score[parent]
            if ps < base / 3 { break }
            if ps > base { top = parent; break }
            parent = Int(nodes[parent].parent)
        }

        // A lone child says nothing its parent does not.
        while true {
            let p = Int(nodes[top].parent)
            guard p >= 0, nodes[p].tag != .body, nodes[p].tag != .html else { break }
            var live = 0
            for c in tree.children(of: p) where !dead[c] && (nodes[c].tag != .text || textChars[c] > 0) { live += 1 }
            if live == 1 { top = p } else { break }
        }

        // Siblings that belong to the story.
        let p = Int(nodes[top].parent)
        guard p >= 0 else { return (top, [top]) }
        let siblingThreshold = max(10, score[top] * 0.2)
        let topClass = tree.attribute("class", of: top)
        var roots: [Int] = []
        for s in tree.children(of: p) {
            if s == top { roots.append(s); continue }
            // A sibling whose class says boilerplate (author box, related) stays out.
            if dead[s] || nodes[s].tag == .text || weight[s] < 0 { continue }
            if nodes[s].tag == .article && contains(.h1, in: s) { continue }  // the next story
            var bonus: Float = 0
            if let c = topClass, !c.isEmpty, tree.attribute("class", of: s) == c { bonus += score[top] * 0.2 }
            if isCandidate[s] && score[s] + bonus >= siblingThreshold {
                roots.append(s)
            } else if blockOf[s] == Int32(s), nodes[s].tag == .p || nodes[s].tag == .div {
                let len = agg[s].chars
                let ld = linkDensity(s)
                if len > 80 && ld < 0.25 {
                    roots.append(s)
                } else if len > 0 && len <= 80 && ld == 0 && settings.bias >= 0 && endsSentence(s) && !isByline(s) {
                    roots.append(s)
                }
            }
        }
        return (top, roots)
    }

    // MARK: cleaning

    private static let conditionalTags = TagSet([
        .div, .section, .ul, .ol, .dl, .table, .form, .figure, Tag(name: "center"), .article, Tag(name: "fieldset"),
    ])

    /// Marks what to drop inside `root`; returns the element indices dropped with their reasons.
    private func clean(root: Int, drop: inout [UInt8]) {
        let nodes = tree.nodes
        let rootClean = Float(agg[root].chars - agg[root].linkChars)
        // The bias moves the doubtful cases: how link-heavy a block may be,
        // how much of the root a block with a negative class may hold, and
        // whether a paragraph that is mostly one link stays.
        let linkLimit: Float = 0.25 + Float(settings.bias) * 0.1
        let minorShare: Float = settings.bias < 0 ? 0.7 : (settings.bias > 0 ? 0.25 : 0.5)
        let linkLineShare: Float = settings.bias < 0 ? 0.5 : (settings.bias > 0 ? 1.01 : 0.66)
        var i = root + 1
        let end = Int(nodes[root].end)
        // Bylines and datelines sit above the first real paragraph.
        var beforeStory = true
        while i < end {
            let node = nodes[i]
            if node.tag == .text || dead[i] { i += 1; continue }
            var why = Why.none
            let leaf = blockOf[i] == Int32(i) && agg[i].chars == agg[i].directChars
            if beforeStory && leaf && agg[i].directChars >= 150 { beforeStory = false }
            let tag = node.tag
            let c = Float(agg[i].chars)
            let ld = linkDensity(i)
            if tag == .h1 && beforeStory && !settings.keepHeadline {
                // The headline; h1s further down are section headings.
                why = .headline
            } else if beforeStory && leaf && agg[i].chars > 0 && agg[i].chars < 80 && agg[i].directStops <= 2 && isByline(i) {
                why = .byline
            } else if weight[i] < 0 && Float(agg[i].chars - agg[i].linkChars) < rootClean * minorShare && !holdsQuote(i) {
                why = .negativeClass
            } else if (tag == .figure || tag == .figcaption) && !holdsQuote(i) {
                why = .caption
            } else if tag == .table && !settings.keepTables {
                why = .table
            } else if Self.conditionalTags.contains(tag) && !holdsQuote(i) {
                let isList = tag == .ul || tag == .ol
                let p = Float(agg[i].pCount), li = Float(agg[i].liCount)
                if tag == .form && agg[i].chars < 500 {
                    why = .form
                } else if agg[i].commas < 10 || ld > 0.5 {
                    if !isList && tag != .table && li > p && ld > 0.2 {
                        why = .listOfLinks
                    } else if weight[i] < 25 && ld > linkLimit + (isList ? 0.15 : 0) {
                        why = .linkList
                    } else if weight[i] >= 25 && ld > 0.5 {
                        why = .linkList
                    } else if c < 25 && !isList && tag != .table && agg[i].directStops == 0 && agg[i].headingChars == 0 && settings.bias <= 0 {
                        why = .short
                    } else if c < 25 && !isList && agg[i].imgCount > 2 {
                        why = .images
                    }
                }
            } else if blockOf[i] != Int32(i) && isLinkCluster(i) && !tree.children(of: i).contains(where: { isLinkCluster($0) && agg[$0].chars * 5 >= agg[i].chars * 4 }) {
                // An inline cluster of links inside a paragraph: a hover card, a
                // tag row. The innermost such element goes, so that a linked
                // name before its hover card stays.
                why = .linkLine
            } else if blockOf[i] == Int32(i) && agg[i].directChars > 0 && agg[i].chars == agg[i].directChars {
                // A leaf block that is all link: "Read more: ...", a tag cloud line.
                if Float(agg[i].directLink) > Float(agg[i].directChars) * linkLineShare && agg[i].directChars < 300
                    && !citesAddress(i) {
                    why = .linkLine
                }
            }
            if why != .none {
                drop[i] = why.rawValue
                i = Int(node.end)
            } else {
                i += 1
            }
        }
    }

    /// A short line naming the author (from the page's metadata) or giving a
    /// date: "By Jane Doe", "Von Jana Hoffmann, 05.03.2024", "Nov. 19, 2019 8:03 am ET".
    private func isByline(_ i: Int) -> Bool {
        let text = tree.rawText(under: i)
        if let author = settings.author, !author.isEmpty {
            for name in author.split(separator: ",") {
                let trimmed = name.trimmingCharacters(in: .whitespaces)
                if trimmed.count >= 4 && text.contains(trimmed) { return true }
            }
        }
        // A year (1990-2039) among few words.
        let words = text.split(whereSeparator: { $0.isWhitespace }).count
        guard words <= 10 else { return false }
        var run = 0, digitsStart: UInt8 = 0, digitsSecond: UInt8 = 0
        for b in text.utf8 {
            if b >= 0x30 && b <= 0x39 {
                if run == 0 { digitsStart = b } else if run == 1 { digitsSecond = b }
                run += 1
            } else {
                if run == 4 && ((digitsStart == 0x31 && digitsSecond == 0x39) || (digitsStart == 0x32 && digitsSecond == 0x30)) { return true }
                run = 0
            }
        }
        return run == 4 && ((digitsStart == 0x31 && digitsSecond == 0x39) || (digitsStart == 0x32 && digitsSecond == 0x30))
    }

    /// Whether the text of `i` ends like a sentence (., !, ?, or their CJK forms).
    private func endsSentence(_ i: Int) -> Bool {
        guard let last = tree.rawText(under: i).unicodeScalars.last(where: { !$0.properties.isWhitespace }) else { return false }
        return ".!?。！？".unicodeScalars.contains(last)
    }

    // MARK: running

    mutating func run() -> Result {
        markHard()
        let longText = aggregate()
        decideJunk(longText: longText)
        settle()
        scoreBlocks()
        var drop = Array(repeating: UInt8(0), count: n)
        var roots: [Int] = []
        var top = -1
        var fellBack = false
        if let chosen = chooseRoots() {
            top = chosen.top
            roots = chosen.roots
        }
        if !roots.isEmpty {
            for r in roots { clean(root: r, drop: &drop) }
        }
        var kept = 0
        for r in roots { kept += keptChars(r, drop: drop) }
        var keptFinal = kept
        if kept < settings.minText {
            // No convincing root: clean the whole body instead.
            let body = tree.first(.body) ?? -1
            let all = body >= 0 ? [body] : Array(tree.children(of: -1))
            var whole = Array(repeating: UInt8(0), count: n)
            for r in all where tree.nodes[r].tag != .text && !dead[r] { clean(root: r, drop: &whole) }
            var wholeKept = 0
            for r in all where tree.nodes[r].tag != .text { wholeKept += keptChars(r, drop: whole) }
            if wholeKept > kept * 3 / 2 {
                fellBack = true
                roots = all.filter { tree.nodes[$0].tag != .text }
                drop = whole
                keptFinal = wholeKept
            }
        }
        var renderer = TextRenderer()
        let deadFlags = dead
        let dropFlags = drop
        for r in roots {
            renderer.append(tree, node: r) { deadFlags[$0] || dropFlags[$0] != 0 }
            renderer.lineBreak()
        }
        var text = renderer.finish()
        if settings.bias < 0 { text = Self.trimEdges(text) }
        var trace: JSONValue?
        if settings.explain {
            trace = explain(top: top, roots: roots, drop: drop, fellBack: fellBack)
        }
        return Result(text: text, trace: trace, kept: keptFinal)
    }

    /// Precision mode: leading and trailing short lines that are not
    /// sentences ("Comments", "Like this:", "You may also like...") go.
    static func trimEdges(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func isStub(_ line: Substring) -> Bool {
            let t = line.trimmingCharacters(in: .whitespaces)
            guard t.unicodeScalars.count < 40 else { return false }
            guard let last = t.unicodeScalars.last else { return true }
            if t.hasSuffix("...") || t.hasSuffix("…") || t.hasSuffix(":") { return true }
            return !".!?。！？\"”»)".unicodeScalars.contains(last)
        }
        while lines.count > 1, let last = lines.last, isStub(last) { lines.removeLast() }
        while lines.count > 1, let first = lines.first, isStub(first) { lines.removeFirst() }
        return lines.joined(separator: "\n")
    }

    private func keptChars(_ root: Int, drop: [UInt8]) -> Int {
        var total = 0
        var i = root
        let end = Int(tree.nodes[root].end)
        while i < end {
            if dead[i] || drop[i] != 0 { i = Int(tree.nodes[i].end); continue }
            if tree.nodes[i].tag == .text { total += Int(textChars[i]) }
            i += 1
        }
        return total
    }

    // MARK: explain

    private func describe(_ i: Int) -> String {
        var s = tree.name(of: i)
        if let id = tree.attribute("id", of: i), !id.isEmpty { s += "#" + id }
        if let c = tree.attribute("class", of: i), !c.isEmpty {
            s += "." + c.split(separator: " ").prefix(3).joined(separator: ".")
        }
        return s
    }

    private func snippet(_ i: Int, skip: ((Int) -> Bool)? = nil) -> String {
        let t = TextRenderer.render(tree, root: i, skip: skip).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        return t.count > 80 ? String(t.prefix(77)) + "..." : t
    }

    private func explain(top: Int, roots: [Int], drop: [UInt8], fellBack: Bool) -> JSONValue {
        var ranked: [(Int, Float)] = []
        for i in 0 ..< n where isCandidate[i] { ranked.append((i, score[i])) }
        ranked.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let candidates: [JSONValue] = ranked.prefix(5).map { (i, s) in
            .object([("node", .int(i)), ("element", .string(describe(i))), ("score", .double((Double(s) * 10).rounded() / 10)),
                     ("chars", .int(Int(agg[i].chars))), ("linkDensity", .double((Double(linkDensity(i)) * 100).rounded() / 100))])
        }
        var blocks: [JSONValue] = []
        // Blocks with text in document order: what was kept and what went, and why.
        let gone: (Int) -> Bool = { self.dead[$0] || drop[$0] != 0 }
        var i = 0
        let inRoot: (Int) -> Bool = { k in roots.contains { $0 == k || self.isAncestor($0, of: k) } }
        while i < n {
            let node = tree.nodes[i]
            if node.tag == .text { i += 1; continue }
            var why: Why? = nil
            if deadWhy[i] != 0 && dead[i] {
                why = Why(rawValue: deadWhy[i])
            } else if drop[i] != 0 {
                why = Why(rawValue: drop[i])
            }
            if let why, why != .none {
                let text = snippet(i)
                if !text.isEmpty {
                    blocks.append(.object([("node", .int(i)), ("element", .string(describe(i))), ("kept", .bool(false)),
                                           ("reason", .string(why.label)), ("text", .string(text))]))
                }
                i = Int(node.end)
                continue
            }
            if blockOf[i] == Int32(i) && agg[i].directChars > 0 {
                let kept = inRoot(i)
                blocks.append(.object([("node", .int(i)), ("element", .string(describe(i))), ("kept", .bool(kept)),
                                       ("reason", .string(kept ? "in content root" : "outside content root")),
                                       ("text", .string(snippet(i, skip: gone)))]))
            }
            i += 1
        }
        return .object([
            ("root", top >= 0 ? .string(describe(top)) : .null),
            ("roots", .array(roots.map { .string(describe($0)) })),
            ("fallback", .bool(fellBack)),
            ("landmarksSpared", .bool(spareLandmarks)),
            ("candidates", .array(candidates)),
            ("blocks", .array(blocks)),
        ])
    }
}

/// Membership of tags by raw value, without hashing.
struct TagSet {
    private var member: [Bool]
    init(_ tags: [Tag]) {
        member = Array(repeating: false, count: Tag.names.count)
        for t in tags where Int(t.rawValue) < member.count { member[Int(t.rawValue)] = true }
    }
    func contains(_ tag: Tag) -> Bool { Int(tag.rawValue) < member.count && member[Int(tag.rawValue)] }
}
