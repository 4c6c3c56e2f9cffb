import Foundation
import Testing
@testable import PagePipe

/// remove-boilerplate, specified by small pages: what each must keep, what it
/// must lose, and the metadata it must find (Fixtures/remove-boilerplate/cases.json).
@Suite struct RemoveBoilerplateTests {
    static let fixtures: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("remove-boilerplate")

    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var options: [String: JSONValue]
        var with: [String]
        var without: [String]
        var metadata: [String: String]
        var testDescription: String { options.isEmpty ? file : "\(file) \(JSONValue.object(options.sorted { $0.key < $1.key }).serialized)" }
    }

    static let cases: [Case] = {
        let data = try! Data(contentsOf: fixtures.appendingPathComponent("cases.json"))
        let json = try! JSONParser.parse([UInt8](data))
        guard case .array(let items)? = json["cases"] else { return [] }
        return items.map { item in
            var options: [String: JSONValue] = [:]
            if case .object(let m)? = item["options"] { for (k, v) in m { options[k] = v } }
            func strings(_ key: String) -> [String] {
                if case .array(let a)? = item[key] { return a.compactMap(\.stringValue) }
                return []
            }
            var metadata: [String: String] = [:]
            for key in ["title", "url", "date", "site", "author"] { if let v = item[key]?.stringValue { metadata[key] = v } }
            return Case(file: item["file"]!.stringValue!, options: options, with: strings("with"),
                        without: strings("without"), metadata: metadata)
        }
    }()

    /// Runs parse-html and remove-boilerplate on HTML, the way a pipeline does.
    static func extract(html: [UInt8], options: [String: JSONValue] = [:], url: String? = nil) throws -> (Document, StageOutcome) {
        let parse = try ParseHTML(json: [:])
        let stage = try RemoveBoilerplate(json: options)
        var doc = Document(id: "test")
        doc.html = html
        doc.url = url
        #expect(try parse.process(&doc) == .keep)
        let outcome = try stage.process(&doc)
        return (doc, outcome)
    }

    static func fold(_ s: String) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// A fixture page, or a page of the repository's samples/ ("samples/...").
    static func page(_ file: String) throws -> [UInt8] {
        if file.hasPrefix("samples/") { return [UInt8](try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/" + file))) }
        return [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
    }

    @Test("keeps the story and loses the furniture", arguments: cases)
    func fixture(_ c: Case) throws {
        let (doc, outcome) = try Self.extract(html: Self.page(c.file), options: c.options)
        #expect(outcome == .keep)
        // Whitespace-insensitive, as the pages have non-breaking spaces.
        let text = Self.fold(doc.text ?? "")
        for snippet in c.with.map(Self.fold) {
            #expect(text.contains(snippet), "\(c.file): lost \"\(snippet)\"")
        }
        for snippet in c.without.map(Self.fold) {
            #expect(!text.contains(snippet), "\(c.file): kept \"\(snippet)\"")
        }
        let found = ["title": doc.title, "url": doc.url, "date": doc.date, "site": doc.site, "author": doc.author]
        for (field, value) in c.metadata {
            #expect(found[field] ?? nil == value, "\(c.file): \(field)")
        }
    }

    @Test func headingsListItemsAndTableRowsAreLines() throws {
        let (doc, _) = try Self.extract(html: Self.page("blog-with-comments.html"))
        let lines = (doc.text ?? "").split(separator: "\n").map(String.init)
        #expect(lines.contains("What went wrong"))
        #expect(lines.contains("Fed it twice a day at a ratio of one part starter to five parts flour and water."))
        #expect(lines.contains("Day 1 | barely any"))
        #expect(!lines.contains { $0.isEmpty })
    }

    @Test func headlineOptionPutsTheTitleFirst() throws {
        let (doc, _) = try Self.extract(html: Self.page("samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"), options: ["headline": .bool(true)])
        let first = doc.text?.split(separator: "\n").first.map(String.init)
        #expect(first == "Moscow Rejects Washington Pressure to Seek Assad's Exit, Report Says")
        let (plain, _) = try Self.extract(html: Self.page("samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"))
        #expect(plain.text?.hasPrefix("Russia resisted new U.S. appeals") == true)
    }

    @Test func explainTracesKeptAndDroppedBlocksWithReasons() throws {
        let (doc, _) = try Self.extract(html: Self.page("samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"), options: ["explain": .bool(true)])
        let trace = try #require(doc.extra.first { $0.0 == "explain" }?.1)
        // The story's container scores best; the root may be an ancestor with nothing else alive in it.
        guard case .array(let candidates)? = trace["candidates"] else { Issue.record("no candidates"); return }
        #expect(candidates.first?["element"]?.stringValue?.hasPrefix("div.article__content") == true)
        #expect(trace["root"]?.stringValue != nil)
        guard case .array(let blocks)? = trace["blocks"] else { Issue.record("no blocks"); return }
        let kept = blocks.filter { $0["kept"] == .bool(true) }
        let dropped = blocks.filter { $0["kept"] == .bool(false) }
        #expect(kept.contains { $0["text"]?.stringValue?.hasPrefix("Russia resisted") == true })
        let appeal = dropped.first { $0["text"]?.stringValue?.contains("small favor to ask") == true }
        #expect(appeal?["reason"]?.stringValue == "furniture tag")
        let related = dropped.first { $0["element"]?.stringValue?.hasPrefix("section.related-articles") == true }
        #expect(related?["reason"]?.stringValue == "boilerplate class/id")
        let inline = dropped.first { $0["text"]?.stringValue?.contains("Clinton, Lavrov and Brahimi Meet") == true }
        #expect(inline?["reason"] != nil)
        // Without the option there is no trace.
        let (quiet, _) = try Self.extract(html: Self.page("samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"))
        #expect(quiet.extra.isEmpty)
    }

    @Test("a junk class or a landmark wrapping the whole page does not take the story with it", arguments: [
        "<div class=\"sliderBox\">%@</div>",
        "<header>%@</header>",
        "<div role=\"complementary\">%@</div>",
    ])
    func wrappersHoldingTheStorySurvive(_ wrapper: String) throws {
        let story = """
            <nav><a href="/">Home</a> <a href="/world">World</a></nav>
            <div class="story"><p>The harbour authority reopened the northern pier on Monday, after three weeks of repairs to the storm-damaged quay.</p>
            <p>Ferries to the islands will run on the summer timetable again from Wednesday, the operator said.</p></div>
            <div class="share-tools"><a href="#">Facebook</a> <a href="#">Twitter</a></div>
            """
        let html = "<html><body>" + wrapper.replacingOccurrences(of: "%@", with: story) + "</body></html>"
        let (doc, _) = try Self.extract(html: Array(html.utf8))
        let text = doc.text ?? ""
        #expect(text.contains("The harbour authority reopened the northern pier on Monday"))
        #expect(text.contains("Ferries to the islands will run on the summer timetable"))
        #expect(!text.contains("Facebook"))
        #expect(!text.contains("World"))
    }

    @Test func favorMovesDoubtfulBlocks() throws {
        let html = Array("""
            <html><body><div class="story">
            <p>The council approved the new library budget on Tuesday, after a debate that ran past midnight, with seven votes to four.</p>
            <p>Opening hours will be extended to nine in the evening from March, and two branches will reopen on Sundays, the mayor said.</p>
            <p>Read the full budget: <a href="/budget.pdf">Library budget 2025, all departments and branches (PDF)</a></p>
            <p>Comments</p>
            </div></body></html>
            """.utf8)
        let (balanced, _) = try Self.extract(html: html)
        let (precision, _) = try Self.extract(html: html, options: ["favor": .string("precision")])
        let (recall, _) = try Self.extract(html: html, options: ["favor": .string("recall")])
        for doc in [balanced, precision, recall] {
            #expect(doc.text?.contains("Opening hours will be extended to nine in the evening") == true)
        }
        // A stub line at the end goes only when precision is favoured.
        #expect(balanced.text?.hasSuffix("Comments") == true)
        #expect(precision.text?.contains("Comments") == false)
        // A paragraph that is mostly one link stays only when recall is favoured.
        #expect(balanced.text?.contains("Library budget 2025") == false)
        #expect(recall.text?.contains("Library budget 2025") == true)
    }

    @Test func aStoryInChunksIsJoinedButTheNextStoryIsNot() throws {
        func paragraphs(_ topic: String) -> String {
            (1 ... 3).map { "<p>Paragraph \($0) about \(topic), with enough words, commas, and clauses to read like a real paragraph of news.</p>" }.joined()
        }
        let chunks = "<html><body><main><article><h1>Floods</h1><div class=\"chunk\">\(paragraphs("the floods"))</div>"
            + "<div class=\"ad\">Advertisement</div><div class=\"chunk\">\(paragraphs("the rescue"))</div></article></main></body></html>"
        let (joined, _) = try Self.extract(html: Array(chunks.utf8))
        #expect(joined.text?.contains("about the floods") == true)
        #expect(joined.text?.contains("about the rescue") == true)
        let scroll = "<html><body><main><article><h1>Floods</h1><div class=\"body\">\(paragraphs("the floods"))</div></article>"
            + "<article><h1>Elections</h1><div class=\"body\">\(paragraphs("the elections"))</div></article></main></body></html>"
        let (first, _) = try Self.extract(html: Array(scroll.utf8))
        #expect(first.text?.contains("about the floods") == true)
        #expect(first.text?.contains("about the elections") == false)
    }

    @Test func metadataGivenOnInputWins() throws {
        let (doc, _) = try Self.extract(html: Self.page("samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"), url: "https://example.org/given")
        #expect(doc.url == "https://example.org/given")
    }

    @Test func minCharsDropsShortPages() throws {
        let html = Array("<html><body><nav><a href=/>Home</a></nav><p>Too short to be an article.</p></body></html>".utf8)
        let (_, outcome) = try Self.extract(html: html, options: ["minChars": .int(200)])
        #expect(outcome == .drop(reason: "too-short"))
        let (doc, kept) = try Self.extract(html: html)
        #expect(kept == .keep)
        #expect(doc.text == "Too short to be an article.")
    }

    @Test func needsTheParsedPage() throws {
        let stage = try RemoveBoilerplate(json: [:])
        var doc = Document(id: "x")
        doc.text = "plain text"
        #expect(throws: PageError.self) { try stage.process(&doc) }
    }

    @Test func badOptionsStopTheRunNamingTheOption() {
        #expect(throws: ConfigError.self) {
            _ = try StageTester(stageNames: ["parse-html", "remove-boilerplate"],
                                options: .object([("remove-boilerplate", .object([("favor", .string("speed"))]))]))
        }
    }

    @Test(arguments: [
        ("Headline of the Day | The Daily Site", "The Daily Site", "Headline of the Day"),
        ("A Long Story About Things - Example News", nil, "A Long Story About Things"),
        ("Q&A - with the mayor of the city of Bern", nil, "Q&A - with the mayor of the city of Bern"),
    ] as [(String, String?, String)])
    func titleLosesTheSiteSuffix(_ raw: String, _ site: String?, _ expected: String) {
        #expect(PageMetadata.stripSiteSuffix(raw, site: site) == expected)
    }

    @Test(arguments: [
        ("2019-11-19T10:00:00Z", "2019-11-19T10:00:00Z"),
        ("2019-11-19 10:00:00+01:00", "2019-11-19T10:00:00+01:00"),
        ("2019-11-19", "2019-11-19"),
        ("20191119", "2019-11-19"),
        ("2019/11/19", "2019-11-19"),
        ("19.11.2019", "2019-11-19"),
        ("November 19, 2019, 07:47 PM EST", "2019-11-19"),
        ("Tue Nov 19 2019 05:44:06 GMT+0000", "2019-11-19"),
        ("5. März 2024", "2024-03-05"),
    ])
    func datesBecomeISO8601(_ raw: String, _ expected: String) {
        #expect(PageMetadata.isoDate(raw) == expected)
    }

    @Test func unparseableDatesAreLeftOut() {
        #expect(PageMetadata.isoDate("Tuesday, Nov. 19") == nil)
        #expect(PageMetadata.isoDate("0001-01-01T00:00:00Z") == nil)
        #expect(PageMetadata.isoDate("") == nil)
    }
}
