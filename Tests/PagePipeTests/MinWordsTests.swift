import Foundation
import Testing
@testable import PagePipe

/// The example stage (ExampleStage/MinWords.swift) and everything it gets from
/// its descriptor alone: validation, the chain check, `pagepipe stages`, the
/// schema, stage-level testing and a run.
@Suite struct MinWordsTests {
    /// The one registry line.
    static let registry = StageRegistry(StageRegistry.all + [MinWords.descriptor])

    func keeps(_ text: String, _ options: [String: JSONValue] = [:]) throws -> Bool {
        var doc = Document(id: "x")
        doc.text = text
        return try MinWords(json: options).process(&doc) == .keep
    }

    @Test func dropsDocumentsWithTooFewWords() throws {
        #expect(try keeps("one two three", ["minWords": .int(3)]))
        #expect(try !keeps("one two", ["minWords": .int(3)]))
        #expect(try keeps("Grüße aus Köln", ["minWords": .int(3)]), "letters of any script")
        #expect(try keeps("in 2024 and 2025", ["minWords": .int(4)]))
        #expect(try !keeps("in 2024 and 2025", ["minWords": .int(4), "countNumbers": .bool(false)]))
        var empty = Document(id: "x")
        #expect(throws: PageError.self) { try MinWords().process(&empty) }
    }

    func problems(_ stages: String) -> [String] {
        do {
            _ = try PipelineConfig.parse(bytes: Array(#"{"version": 1, "stages": ["#.utf8) + Array(stages.utf8) + Array("]}".utf8),
                                         registry: Self.registry)
            return []
        } catch let e as ConfigError {
            return e.issues.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    @Test func validationReadsItsDeclaration() {
        #expect(problems(#"{"stage": "parse-html"}, {"stage": "min-words", "options": {"minWords": 20}}"#) == [])
        #expect(problems(#"{"stage": "parse-html"}, {"stage": "min-words", "options": {"minWord": 20, "countNumbers": "no"}}"#) == [
            "stages[1].options.minWord: unknown option for min-words (known: minWords, countNumbers)",
            "stages[1].options.countNumbers: expected a boolean, got \"no\"",
        ])
        #expect(problems(#"{"stage": "parse-html"}, {"stage": "min-words", "options": {"minWords": -1}}"#) == [
            "stages[1].options.minWords: expected an integer >= 0, got -1",
        ])
        #expect(problems(#"{"stage": "min-words"}, {"stage": "parse-html"}"#) == [
            "stages[0]: min-words reads text, which no earlier stage writes: add parse-html before it",
        ])
        // The standard registry does not know it.
        #expect(throws: ConfigError.self) {
            try PipelineConfig.parse(bytes: Array(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "min-words"}]}"#.utf8))
        }
    }

    @Test func pagepipeStagesListsIt() {
        let listing = PipelineSchema.listing(Self.registry)
        #expect(listing.hasSuffix("""
            min-words
                Drop documents with fewer words than minWords.
                reads text
                minWords: integer = 50
                    Drop documents with fewer words than this. Allowed: an integer >= 0.
                countNumbers: boolean = true
                    Count runs of digits as words.


            """))
    }

    @Test func theSchemaDescribesIt() throws {
        guard case .array(let variants)? = PipelineSchema.schema(Self.registry)["properties"]?["stages"]?["items"]?["oneOf"] else {
            Issue.record("no stage variants")
            return
        }
        let variant = try #require(variants.last)
        #expect(variant == (try JSONParser.parse("""
            {"type": "object", "description": "Drop documents with fewer words than minWords.", "additionalProperties": false,
             "required": ["stage"],
             "properties": {
               "stage": {"const": "min-words"},
               "options": {"type": "object", "additionalProperties": false, "properties": {
                 "minWords": {"description": "Drop documents with fewer words than this.", "type": "integer", "minimum": 0, "default": 50},
                 "countNumbers": {"description": "Count runs of digits as words.", "type": "boolean", "default": true}}}}}
            """)))
    }

    @Test func stageLevelTesting() throws {
        let tester = try StageTester(stageNames: ["parse-html", "min-words"], options: .object([("min-words", .object([("minWords", .int(2))]))]),
                                     registry: Self.registry)
        var one = Document(id: "a")
        one.html = Array("<p>Hello</p>".utf8)
        var stats = tester.pipeline.emptyStats()
        guard case let .dropped(_, stage, reason) = tester.pipeline.run(one, stats: &stats) else {
            Issue.record("a one-word page is dropped")
            return
        }
        #expect(stage == "min-words" && reason == "too-few-words")
        #expect(throws: ConfigError.self) {
            _ = try StageTester(stageNames: ["min-words"], options: .object([("minWords", .string("x"))]), registry: Self.registry)
        }
    }

    @Test func aRunDropsShortPagesIntoDroppedJSONL() throws {
        let dir = NSTemporaryDirectory() + "pagepipe-minwords-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
        try Data("<p>Three words here.</p>".utf8).write(to: URL(fileURLWithPath: dir + "/in/long.html"))
        try Data("<p>Two words.</p>".utf8).write(to: URL(fileURLWithPath: dir + "/in/short.html"))
        let config = try PipelineConfig.parse(bytes: Array(#"""
            {"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "min-words", "options": {"minWords": 3}},
                                      {"stage": "emit-jsonl", "options": {"fields": ["id", "text"]}}]}
            """#.utf8), registry: Self.registry)
        let runner = Runner(pipeline: try config.build(file: "p.json"), options: .init(jobs: 2))
        let summary = try runner.run(items: try InputWalker.walk([dir + "/in"]), output: dir + "/out")
        #expect(summary.succeeded == 1 && summary.dropped == 1)
        #expect(try String(contentsOfFile: dir + "/out/documents.jsonl", encoding: .utf8) == #"{"id":"long.html","text":"Three words here."}"# + "\n")
        #expect(try String(contentsOfFile: dir + "/out/dropped.jsonl", encoding: .utf8)
            == #"{"id":"short.html","stage":"min-words","reason":"too-few-words"}"# + "\n")
    }
}
