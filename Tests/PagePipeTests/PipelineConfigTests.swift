import XCTest
@testable import PagePipe

/// Every configuration message, in full: users read these.
final class PipelineConfigTests: XCTestCase {
    func problems(_ json: String) -> [String] {
        do {
            _ = try PipelineConfig.parse(bytes: Array(json.utf8), file: "p.json")
            return []
        } catch let e as ConfigError {
            return e.issues.map(\.description)
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    func testValidPipeline() throws {
        let config = try PipelineConfig.parse(bytes: Array("""
            {"version": 1, "input": "pages", "output": "out",
             "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl", "options": {"fields": ["id", "text"]}}]}
            """.utf8), file: "p.json", baseDirectory: "/srv/job")
        XCTAssertEqual(config.stages.map(\.descriptor.name), ["parse-html", "emit-jsonl"])
        XCTAssertEqual(config.inputs, ["/srv/job/pages"])
        XCTAssertEqual(config.output, "/srv/job/out")
        XCTAssertEqual((config.stages[1].options as? EmitJSONL.Options)?.fields, [.id, .text])
        XCTAssertEqual((config.stages[0].options as? ParseHTML.Options)?.maxFileBytes, 64 << 20)
    }

    func testTheRepositoryPipelineIsValid() throws {
        let config = try PipelineConfig.load(path: repoRoot + "/pipeline.json")
        _ = try config.build(file: "pipeline.json")
        XCTAssertEqual(config.stages.map(\.descriptor.name), StageRegistry.defaultChain)
    }

    func testMisspeltOptionNamesItsPathAndTheKnownOptions() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html", "options": {"maxFileByte": 5}}]}"#), [
            "stages[0].options.maxFileByte: unknown option for parse-html (known: maxFileBytes, maxDecompressedBytes, fallbackCharset, rubyReadings)",
        ])
    }

    func testUnknownStage() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "strip"}]}"#), [
            "stages[1].stage: unknown stage \"strip\" (known: \(StageRegistry.names.joined(separator: ", ")))",
        ])
    }

    func testWrongTypeAndOutOfRangeValues() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html", "options": {"maxFileBytes": 0, "maxDecompressedBytes": "big"}}]}"#), [
            "stages[0].options.maxFileBytes: expected an integer >= 1, got 0",
            "stages[0].options.maxDecompressedBytes: expected an integer >= 1, got \"big\"",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "count-entities"}, {"stage": "emit-csv", "options": {"totals": "yes"}}]}"#), [
            "stages[2].options.totals: expected a boolean, got \"yes\"",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl", "options": {"fields": ["id", 3]}}]}"#), [
            "stages[1].options.fields: expected an array of \"id\", \"url\", \"title\", \"date\", \"site\", \"author\", \"language\", \"languageConfidence\", \"text\", \"mentions\", \"entities\", got [\"id\",3]",
        ])
    }

    func testAllProblemsAreReportedAtOnce() {
        XCTAssertEqual(problems(#"{"version": 2, "stages": [{"stage": "emit-jsonl"}, {"stage": "parse-html", "options": {"x": 1}, "extra": true}], "outptu": "o"}"#), [
            "outptu: unknown key (known: version, input, output, stages)",
            "version: expected 1, got 2",
            "stages[1].extra: unknown key (known: stage, options)",
            "stages[1].options.x: unknown option for parse-html (known: maxFileBytes, maxDecompressedBytes, fallbackCharset, rubyReadings)",
            "stages[1].stage: parse-html comes after an emitter; emitters must be last",
        ])
    }

    func testStructuralProblems() {
        XCTAssertEqual(problems("[]"), ["expected an object with \"version\" and \"stages\""])
        XCTAssertEqual(problems(#"{"version": 1}"#), ["stages: missing"])
        XCTAssertEqual(problems(#"{"stages": []}"#), ["version: missing (expected 1)", "stages: expected at least one stage"])
        XCTAssertEqual(problems(#"{"version": 1, "stages": {}}"#), ["stages: expected an array of {\"stage\": NAME, \"options\": {...}}"])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [3, {"options": {}}, {"stage": 7}]}"#), [
            "stages[0]: expected an object {\"stage\": NAME, \"options\": {...}}",
            "stages[1].stage: missing",
            "stages[2].stage: expected a string",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "input": 5, "output": [], "stages": [{"stage": "parse-html", "options": 3}]}"#), [
            "input: expected a folder or an array of folders",
            "output: expected a string (a folder)",
            "stages[0].options: expected an object of options",
        ])
        XCTAssertEqual(problems("{\"version\": 1,\n \"stages\": [}"), ["not valid JSON: line 2, column 13: unexpected character"])
    }

    func testDeclaredChecksRejectValuesWhenTheFileIsRead() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html", "options": {"fallbackCharset": "klingon-8"}}]}"#), [
            "stages[0].options.fallbackCharset: libxml2 cannot decode \"klingon-8\"",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "remove-boilerplate", "options": {"favor": "precison"}}]}"#), [
            "stages[1].options.favor: expected one of \"precision\", \"balanced\", \"recall\", got \"precison\"",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "count-entities", "options": {"types": ["PER", "PERSON"]}}]}"#), [
            "stages[1].options.types: expected an array of \"PER\", \"ORG\", \"LOC\", \"MISC\", got [\"PER\",\"PERSON\"]",
        ])
    }

    func testOptionsRejectedWhenTheStageIsBuiltNameTheirPath() throws {
        let config = try PipelineConfig.parse(bytes: Array(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "normalize-language", "options": {"languages": ["en", "xx"]}}, {"stage": "count-entities", "options": {"dictionaryMode": "only"}}]}"#.utf8))
        let languages = try LanguageModel.bundled.get().languages.joined(separator: ", ")
        XCTAssertThrowsError(try config.build(file: "p.json")) { error in
            XCTAssertEqual("\(error)", """
                p.json: invalid pipeline (2 problems):
                  stages[1].options.languages: unknown "xx" (the profile has \(languages))
                  stages[2].options.dictionaryMode: "only" needs a dictionary
                """)
        }
    }

    func testAStageReadingAFieldNothingEarlierWritesIsNamedWithTheFix() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "normalize-language"}, {"stage": "emit-jsonl"}]}"#), [
            "stages[0]: normalize-language reads text, which no earlier stage writes: add parse-html before it",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "remove-boilerplate"}, {"stage": "parse-html"}]}"#), [
            "stages[0]: remove-boilerplate reads tree, which no earlier stage writes: add parse-html before it",
        ])
        // Language is read when set: count-entities right after parse-html is a valid chain.
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "count-entities"}, {"stage": "emit-csv"}]}"#), [])
    }

    func testAnEmitterWithNothingToEmit() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "count-entities"}, {"stage": "emit-csv"}]}"#), [
            "stages[0]: count-entities reads text, which no earlier stage writes: add parse-html before it",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "normalize-language"}, {"stage": "emit-csv"}]}"#), [
            "stages[2]: emit-csv reads entities, which no earlier stage writes: add count-entities before it",
        ])
    }

    func testDuplicateEmitters() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl"}, {"stage": "emit-jsonl", "options": {"fields": ["id"]}}]}"#), [
            "stages[2]: emit-jsonl is already stages[1]: an emitter writes its files once per run",
        ])
    }

    /// Fields a stage writes that no later stage reads are reported to it once:
    /// parse-html then skips rendering a text nobody reads.
    func testUnreadFieldsAreSkipped() throws {
        func rendersText(_ stages: String, skip: Bool = true) throws -> Bool {
            let json = #"{"version": 1, "stages": ["# + stages + "]}"
            let pipeline = try PipelineConfig.parse(bytes: Array(json.utf8)).build(file: "p.json", skipUnread: skip)
            return try XCTUnwrap(pipeline.stages[0] as? ParseHTML).renderText
        }
        let boiler = #"{"stage": "parse-html"}, {"stage": "remove-boilerplate"}"#
        XCTAssertFalse(try rendersText(boiler), "remove-boilerplate replaces the text from the tree")
        XCTAssertTrue(try rendersText(boiler, skip: false))
        XCTAssertTrue(try rendersText(#"{"stage": "parse-html"}, {"stage": "normalize-language"}"#))
        XCTAssertTrue(try rendersText(#"{"stage": "parse-html"}, {"stage": "emit-jsonl"}"#), "emit-jsonl prints the text")
        XCTAssertFalse(try rendersText(#"{"stage": "parse-html"}, {"stage": "emit-jsonl", "options": {"fields": ["id", "title"]}}"#))
        XCTAssertFalse(try rendersText(#"{"stage": "parse-html"}"#))
    }

    func testWholeMessageFormat() {
        XCTAssertThrowsError(try PipelineConfig.parse(bytes: Array(#"{"version": 1, "stages": [{"stage": "nope"}, {"stage": "parse-html", "options": {"maxFileBytes": -1}}]}"#.utf8), file: "cron/pipeline.json")) { error in
            XCTAssertEqual("\(error)", """
                cron/pipeline.json: invalid pipeline (2 problems):
                  stages[0].stage: unknown stage "nope" (known: \(StageRegistry.names.joined(separator: ", ")))
                  stages[1].options.maxFileBytes: expected an integer >= 1, got -1
                """)
        }
    }

    /// The registry's order is the default chain's: every stage's needs are
    /// met by the stages before it, with the defaults.
    func testTheStandardRegistryInOrderIsAValidChain() {
        var issues: [ConfigIssue] = []
        let entries = StageRegistry.all.compactMap { d in
            d.decodeOptions(nil, "", ".", &issues).map { PipelineConfig.StageEntry(descriptor: d, options: $0) }
        }
        XCTAssertEqual(entries.count, StageRegistry.all.count)
        XCTAssertEqual(PipelineConfig.checkChain(entries, given: PipelineConfig.runInput), [])
        XCTAssertEqual(issues, [])
    }

    /// What `pagepipe stages` and the schema print about an option (from
    /// `OptionInfo`) agrees with what validation accepts: the printed default
    /// is accepted, a value just outside the printed range or choices is not.
    func testPrintedDefaultsAndRangesAgreeWithValidation() {
        for d in StageRegistry.all {
            for o in d.options {
                func accepted(_ v: JSONValue) -> Bool {
                    var issues: [ConfigIssue] = []
                    return d.decodeOptions(.object([(o.name, v)]), "o", ".", &issues) != nil
                }
                XCTAssertTrue(accepted(o.defaultValue), "\(d.name).\(o.name) default \(o.defaultValue.serialized)")
                switch o.type {
                case .integer(let min?, _): XCTAssertFalse(accepted(.int(min - 1)), "\(d.name).\(o.name)")
                case .number(let min?, _): XCTAssertFalse(accepted(.double(min - 0.5)), "\(d.name).\(o.name)")
                case .choice(let values): XCTAssertFalse(accepted(.string(values.joined())), "\(d.name).\(o.name)")
                case .choiceList(let values): XCTAssertFalse(accepted(.array([.string(values.joined())])), "\(d.name).\(o.name)")
                case .bool, .string, .stringList, .path: XCTAssertFalse(accepted(.array([.int(1)])), "\(d.name).\(o.name)")
                default: break
                }
            }
        }
    }
}
