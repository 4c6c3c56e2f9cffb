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
        XCTAssertEqual(config.stages[1].options.strings("fields"), ["id", "text"])
        XCTAssertEqual(config.stages[0].options.int("maxFileBytes"), 64 << 20)
    }

    func testTheRepositoryPipelineIsValid() throws {
        let config = try PipelineConfig.load(path: repoRoot + "/pipeline.json")
        _ = try config.build(file: "pipeline.json")
        XCTAssertEqual(config.stages.map(\.descriptor.name), StageRegistry.defaultChain)
    }

    func testMisspeltOptionNamesItsPathAndTheKnownOptions() {
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html", "options": {"maxFileByte": 5}}]}"#), [
            "stages[0].options.maxFileByte: unknown option for parse-html (known: maxFileBytes, maxDecompressedBytes, fallbackCharset)",
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
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-csv", "options": {"totals": "yes"}}]}"#), [
            "stages[1].options.totals: expected a boolean, got \"yes\"",
        ])
        XCTAssertEqual(problems(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl", "options": {"fields": ["id", 3]}}]}"#), [
            "stages[1].options.fields: expected an array of strings, got [\"id\",3]",
        ])
    }

    func testAllProblemsAreReportedAtOnce() {
        XCTAssertEqual(problems(#"{"version": 2, "stages": [{"stage": "emit-jsonl"}, {"stage": "parse-html", "options": {"x": 1}, "extra": true}], "outptu": "o"}"#), [
            "outptu: unknown key (known: version, input, output, stages)",
            "version: expected 1, got 2",
            "stages[1].extra: unknown key (known: stage, options)",
            "stages[1].stage: parse-html comes after an emitter; emitters must be last",
            "stages[1].options.x: unknown option for parse-html (known: maxFileBytes, maxDecompressedBytes, fallbackCharset)",
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

    func testOptionsRejectedWhenTheStageIsBuilt() throws {
        let config = try PipelineConfig.parse(bytes: Array(#"{"version": 1, "stages": [{"stage": "parse-html", "options": {"fallbackCharset": "klingon-8"}}]}"#.utf8))
        XCTAssertThrowsError(try config.build(file: "p.json")) { error in
            XCTAssertEqual("\(error)", """
                p.json: invalid pipeline (1 problem):
                  stages[0].options: fallbackCharset: libxml2 cannot decode "klingon-8"
                """)
        }
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

    func testParseHTMLSkipsRenderingTextThatTheNextStageReplaces() throws {
        func renders(_ json: String, skip: Bool = true) throws -> Bool {
            let pipeline = try PipelineConfig.parse(bytes: Array(json.utf8)).build(file: "p.json", skipUnreadText: skip)
            return try XCTUnwrap(pipeline.stages[0] as? ParseHTML).renderText
        }
        let boiler = #"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "remove-boilerplate"}]}"#
        XCTAssertFalse(try renders(boiler))
        XCTAssertTrue(try renders(boiler, skip: false))
        XCTAssertTrue(try renders(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "normalize-language"}]}"#))
    }

    func testSchemaListsEveryStageAndOption() throws {
        let schema = PipelineSchema.schema()
        guard case .array(let variants)? = schema["properties"]?["stages"]?["items"]?["oneOf"] else {
            return XCTFail("no stage variants in the schema")
        }
        XCTAssertEqual(variants.compactMap { $0["properties"]?["stage"]?["const"]?.stringValue }, StageRegistry.names)
        let parse = variants[0]["properties"]?["options"]?["properties"]?["maxFileBytes"]
        XCTAssertEqual(parse?["type"], .string("integer"))
        XCTAssertEqual(parse?["minimum"], .int(1))
        XCTAssertEqual(parse?["default"], .int(64 << 20))
    }
}
