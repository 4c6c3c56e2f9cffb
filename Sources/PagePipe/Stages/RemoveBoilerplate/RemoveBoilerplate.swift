import HTML

/// remove-boilerplate: reads `tree` (set by parse-html) and replaces `text`
/// with the article a reader came for (paragraphs, headings, list items and
/// table rows one per line; navigation, banners, share bars, appeals, related
/// links, comments and footers gone). Sets `title`, `url`, `date`, `site` and
/// `author` from the page's metadata where present (a value already set, e.g.
/// a `url` given on input, is kept). With `explain`, puts a trace of kept and
/// dropped blocks in `extra["explain"]`. Drops a document whose article text
/// is shorter than `minChars` (reason "too-short"); the default 0 drops nothing.
public struct RemoveBoilerplate: Stage {
    public static let descriptor = StageDescriptor(
        RemoveBoilerplate.self, name: "remove-boilerplate",
        summary: "Keep the article text; drop navigation, ads, share bars, appeals, comments, footers.",
        needsTree: true, replacesText: true,
        options: [
            OptionSpec("comments", .bool, default: .bool(false),
                       "Keep reader comments with the article."),
            OptionSpec("tables", .bool, default: .bool(true),
                       "Keep tables inside the article (one row per line)."),
            OptionSpec("headline", .bool, default: .bool(false),
                       "Start the text with the headline (the title) on its own line."),
            OptionSpec("favor", .choice(["precision", "balanced", "recall"]), default: .string("balanced"),
                       "Bias for doubtful blocks: drop them (precision) or keep them (recall)."),
            OptionSpec("minTextChars", .integer(min: 0, max: nil), default: .int(250),
                       "A content root with less text than this falls back to cleaning the whole page."),
            OptionSpec("minChars", .integer(min: 0, max: nil), default: .int(0),
                       "Drop documents whose article text has fewer characters (0: never drop)."),
            OptionSpec("explain", .bool, default: .bool(false),
                       "Put a trace of kept and dropped blocks, and why, in extra[\"explain\"]."),
        ])

    let settings: ContentExtractor.Settings
    let minChars: Int

    public init(options: StageOptions) throws {
        var s = ContentExtractor.Settings()
        s.keepComments = options.bool("comments")
        s.keepTables = options.bool("tables")
        s.keepHeadline = options.bool("headline")
        switch options.string("favor") {
        case "precision": s.bias = -1
        case "recall": s.bias = 1
        default: s.bias = 0
        }
        s.minText = options.int("minTextChars")
        s.explain = options.bool("explain")
        settings = s
        minChars = options.int("minChars")
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        guard let tree = document.tree else {
            throw PageError("remove-boilerplate needs the parsed page: put parse-html before it")
        }
        let meta = PageMetadata(tree: tree)
        var settings = self.settings
        settings.author = meta.author
        let result = ContentExtractor.extract(tree: tree, settings: settings)
        var text = result.text
        if settings.keepHeadline, let title = meta.title, !text.hasPrefix(title) {
            text = text.isEmpty ? title : title + "\n" + text
        }
        document.text = text
        if document.title == nil { document.title = meta.title }
        if document.url == nil { document.url = meta.url }
        if document.date == nil { document.date = meta.date }
        if document.site == nil { document.site = meta.site }
        if document.author == nil { document.author = meta.author }
        if let trace = result.trace { document.setExtra("explain", trace) }
        if minChars > 0 && text.unicodeScalars.count < minChars { return .drop(reason: "too-short") }
        return .keep
    }
}
