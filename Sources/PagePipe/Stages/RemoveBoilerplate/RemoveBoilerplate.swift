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
        reads: [.tree], readsIfSet: [.title, .url, .date, .site, .author],
        writes: [.text, .title, .url, .date, .site, .author])

    /// Which way doubtful blocks go.
    public enum Favor: String, Sendable, CaseIterable, OptionChoice {
        case precision, balanced, recall
    }

    public struct Options: StageOptions {
        // The extractor's own defaults, so that they are written once.
        public var comments = Self.extractor.keepComments
        public var tables = Self.extractor.keepTables
        public var headline = Self.extractor.keepHeadline
        public var favor = Favor.balanced
        public var minTextChars = Self.extractor.minText
        public var minChars = 0
        public var explain = Self.extractor.explain
        public init() {}
        private static let extractor = ContentExtractor.Settings()

        public static let declaration: [StageOption<Options>] = [
            StageOption("comments", \.comments, "Keep reader comments with the article."),
            StageOption("tables", \.tables, "Keep tables inside the article (one row per line)."),
            StageOption("headline", \.headline, "Start the text with the headline (the title) on its own line."),
            StageOption("favor", \.favor, "Bias for doubtful blocks: drop them (precision) or keep them (recall)."),
            StageOption("minTextChars", \.minTextChars, min: 0,
                   "A content root with less text than this falls back to cleaning the whole page."),
            StageOption("minChars", \.minChars, min: 0, "Drop documents whose article text has fewer characters (0: never drop)."),
            StageOption("explain", \.explain, "Put a trace of kept and dropped blocks, and why, in extra[\"explain\"]."),
        ]
    }

    let settings: ContentExtractor.Settings
    let minChars: Int

    public init(options: Options) {
        var s = ContentExtractor.Settings()
        s.keepComments = options.comments
        s.keepTables = options.tables
        s.keepHeadline = options.headline
        switch options.favor {
        case .precision: s.bias = -1
        case .balanced: s.bias = 0
        case .recall: s.bias = 1
        }
        s.minText = options.minTextChars
        s.explain = options.explain
        settings = s
        minChars = options.minChars
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
