import Foundation
import XCTest
@testable import PagePipe

/// The real `pagepipe` command on samples/ and on bad input, as a user meets it.
final class RunEndToEndTests: XCTestCase {
    static let goldenDirectory = repoRoot + "/Tests/PagePipeTests/Fixtures/golden"
    static let outputFiles = ["documents.jsonl", "entities.csv", "entities-total.csv", "errors.jsonl", "dropped.jsonl"]

    /// `run` with the repository's pipeline.json over samples/ matches the golden
    /// files. Set PAGEPIPE_UPDATE_GOLDEN=1 to rewrite them after a deliberate change.
    func testSamplesMatchGoldenFiles() throws {
        let out = try makeTemporaryDirectory(self)
        let result = try runPagePipe(["run", "--output", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "a successful run is silent when stderr is not a terminal")
        if ProcessInfo.processInfo.environment["PAGEPIPE_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(atPath: Self.goldenDirectory, withIntermediateDirectories: true)
            for name in Self.outputFiles {
                try? FileManager.default.removeItem(atPath: Self.goldenDirectory + "/" + name)
                try FileManager.default.copyItem(atPath: out + "/" + name, toPath: Self.goldenDirectory + "/" + name)
            }
        }
        for name in Self.outputFiles {
            let expected = try readFile(Self.goldenDirectory + "/" + name)
            let actual = try readFile(out + "/" + name)
            XCTAssertEqual(actual, expected, "\(name) differs from the golden file (PAGEPIPE_UPDATE_GOLDEN=1 to update)")
        }
        let stats = try JSONParser.parse(readFile(out + "/stats.json"))
        XCTAssertEqual(stats["processed"], .int(4))
        XCTAssertEqual(stats["failed"], .int(0))
    }

    func testRunsAreByteIdenticalWhateverTheThreadCount() throws {
        let a = try makeTemporaryDirectory(self), b = try makeTemporaryDirectory(self)
        XCTAssertEqual(try runPagePipe(["run", "--output", a, "--jobs", "1"]).status, 0)
        XCTAssertEqual(try runPagePipe(["run", "--output", b, "--jobs", "4"]).status, 0)
        for name in Self.outputFiles {
            XCTAssertEqual(try readFile(a + "/" + name), try readFile(b + "/" + name), name)
        }
    }

    func testBadPagesGoToErrorsAndTheRunGoesOn() throws {
        let input = try makeTemporaryDirectory(self), out = try makeTemporaryDirectory(self)
        try writeFile(input + "/good.html", "<p>fine</p>")
        try writeFile(input + "/empty.html", "")
        try writeFile(input + "/junk.html", bytes: [0x00, 0x01, 0x02, 0xFF, 0x00])
        try writeFile(input + "/cut.html.gz", bytes: [0x1F, 0x8B, 0x08, 0x00, 0x00])
        let result = try runPagePipe(["run", "--input", input, "--output", out])
        XCTAssertEqual(result.status, 1)
        // The summary's timing varies; the rest is fixed.
        XCTAssertTrue(result.stderr.hasPrefix("pagepipe: 4 pages: 1 ok, 3 failed, 0 dropped in "), result.stderr)
        XCTAssertTrue(result.stderr.hasSuffix(" -> \(out) (failures in \(out)/errors.jsonl)\n"), result.stderr)
        XCTAssertEqual(try readFile(out + "/errors.jsonl"), """
            {"id":"cut.html.gz","stage":"parse-html","error":"truncated gzip data"}
            {"id":"empty.html","stage":"parse-html","error":"the page is empty (0 bytes)"}
            {"id":"junk.html","stage":"parse-html","error":"not HTML: binary data (NUL bytes)"}

            """)
        let docs = try readFile(out + "/documents.jsonl")
        XCTAssertTrue(docs.hasPrefix(#"{"id":"good.html""#), docs)
    }

    /// Every kind of bad input ends as a document or as a line in errors.jsonl.
    func testACorpusOfEveryBadInputLosesNothing() throws {
        let input = try makeTemporaryDirectory(self), out = try makeTemporaryDirectory(self)
        try writeFile(input + "/01-empty.html", "")
        try writeFile(input + "/02-binary.html", bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00])
        try writeFile(input + "/03-truncated.html.gz", bytes: [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00])
        // A gzip bomb: 300 MB of zeros compress to ~300 KB; the default cap is 256 MiB.
        let bomb = Process()
        bomb.executableURL = URL(fileURLWithPath: "/bin/sh")
        bomb.arguments = ["-c", "head -c 300000000 /dev/zero | gzip -1 > '\(input)/04-bomb.html.gz'"]
        try bomb.run()
        bomb.waitUntilExit()
        try writeFile(input + "/05-deep.html", String(repeating: "<div>", count: 20_000) + "deep text" + String(repeating: "</div>", count: 20_000))
        try writeFile(input + "/06-wrong-charset.html", bytes: Array(#"<meta charset="utf-8"><p>caf"#.utf8) + [0xE9] + Array("</p>".utf8))
        try writeFile(input + "/07-no-charset.html", bytes: Array("<p>na".utf8) + [0xEF, 0x76, 0x65] + Array("</p>".utf8))
        try FileManager.default.createSymbolicLink(atPath: input + "/08-dangling.html", withDestinationPath: input + "/nowhere.html")
        try FileManager.default.createDirectory(atPath: input + "/09-loop", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: input + "/09-loop/back", withDestinationPath: input)
        try writeFile(input + "/10-oversized.html", "<p>" + String(repeating: "x", count: 2_000_000) + "</p>")
        try writeFile(input + "/11-good.html", "<p>fine</p>")
        try writeFile(input + "/p.json", """
            {"version": 1, "stages": [{"stage": "parse-html", "options": {"maxFileBytes": 2000000}}, {"stage": "emit-jsonl", "options": {"fields": ["id", "text"]}}]}
            """)
        let result = try runPagePipe(["run", "--pipeline", input + "/p.json", "--input", input, "--output", out])
        XCTAssertEqual(result.status, 1)
        XCTAssertEqual(try readFile(out + "/documents.jsonl"), """
            {"id":"05-deep.html","text":"deep text"}
            {"id":"06-wrong-charset.html","text":"café"}
            {"id":"07-no-charset.html","text":"naïve"}
            {"id":"11-good.html","text":"fine"}

            """)
        XCTAssertEqual(try readFile(out + "/errors.jsonl"), """
            {"id":"01-empty.html","stage":"parse-html","error":"the page is empty (0 bytes)"}
            {"id":"02-binary.html","stage":"parse-html","error":"not HTML: binary data (NUL bytes)"}
            {"id":"03-truncated.html.gz","stage":"parse-html","error":"truncated gzip data"}
            {"id":"04-bomb.html.gz","stage":"parse-html","error":"decompressed size exceeds the limit of 268435456 bytes"}
            {"id":"08-dangling.html","stage":"input","error":"cannot read: No such file or directory"}
            {"id":"09-loop/back","stage":"input","error":"symlink loop: folder already visited"}
            {"id":"10-oversized.html","stage":"parse-html","error":"file is 2000007 bytes, over the limit of 2000000 (maxFileBytes)"}

            """)
    }

    func testConfigurationErrorsStopBeforeAnyInputIsRead() throws {
        let dir = try makeTemporaryDirectory(self)
        try writeFile(dir + "/p.json", #"{"version": 1, "stages": [{"stage": "parse-html", "options": {"maxFileBytez": 1}}]}"#)
        let result = try runPagePipe(["run", "--pipeline", dir + "/p.json", "--input", dir, "--output", dir + "/out"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderr, """
            pagepipe: \(dir)/p.json: invalid pipeline (1 problem):
              stages[0].options.maxFileBytez: unknown option for parse-html (known: maxFileBytes, maxDecompressedBytes, fallbackCharset, rubyReadings)

            """)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir + "/out"))
    }

    func testValidateNamesTheMisspeltOption() throws {
        let dir = try makeTemporaryDirectory(self)
        try writeFile(dir + "/p.json", #"{"version": 1, "stages": [{"stage": "parse-html", "options": {"fallbackCharst": "x"}}]}"#)
        let bad = try runPagePipe(["validate", dir + "/p.json"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("stages[0].options.fallbackCharst: unknown option for parse-html"), bad.stderr)
        let good = try runPagePipe(["validate", "pipeline.json"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertEqual(good.stdout, "pipeline.json: valid (\(StageRegistry.defaultChain.joined(separator: " -> ")))\n")
    }

    /// An output that cannot be written once the run has started is an I/O
    /// error (74), not a configuration error (2), and leaves no temporary file.
    func testAnOutputThatCannotBeWrittenExits74() throws {
        let out = try makeTemporaryDirectory(self)
        // A folder where documents.jsonl should go: the rename into place fails.
        try FileManager.default.createDirectory(atPath: out + "/documents.jsonl/x", withIntermediateDirectories: true)
        let result = try runPagePipe(["run", "--output", out])
        XCTAssertEqual(result.status, 74, result.stderr)
        XCTAssertTrue(result.stderr.contains("run failed: \(out)/documents.jsonl: cannot move \(out)/.documents.jsonl.tmp-"), result.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        XCTAssertEqual(names.filter { $0.contains(".tmp-") }, [])
        XCTAssertFalse(names.contains("entities.csv"), "nothing is moved into place after the failure")
    }

    func testASecondRunOnALockedOutputExits75() throws {
        let out = try makeTemporaryDirectory(self)
        let lock = try OutputLock(folder: out)
        let result = try runPagePipe(["run", "--output", out])
        XCTAssertEqual(result.status, 75)
        XCTAssertEqual(result.stderr, "pagepipe: the output folder \(out) is locked by another pagepipe run (pid \(getpid()))\n")
        withExtendedLifetime(lock) {}
    }

    func testStageCommandPrintsEveryFieldSet() throws {
        let result = try runPagePipe(["stage", "parse-html"], stdin: """
            {"id":"p","path":"samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html"}
            {"id":"h","html":"<p>Hi <b>there</b></p><script>x()</script>"}
            {"id":"bad","path":"/nonexistent.html"}
            not json
            """)
        XCTAssertEqual(result.status, 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 4)
        let first = try JSONParser.parse(lines[0])
        XCTAssertEqual(first["id"], .string("p"))
        XCTAssertTrue(first["text"]?.stringValue?.contains("Kommersant reported Tuesday.") ?? false)
        XCTAssertFalse(first["text"]?.stringValue?.contains("gtag") ?? true)
        XCTAssertEqual(lines[1], #"{"id":"h","text":"Hi there"}"#)
        XCTAssertEqual(lines[2], #"{"id":"bad","stage":"parse-html","error":"cannot open: No such file or directory"}"#)
        XCTAssertEqual(lines[3], #"{"id":null,"stage":"input","error":"line 4: not valid JSON: line 1, column 1: invalid literal"}"#)
    }

    func testStageCommandCanShowEachStagesWork() throws {
        let result = try runPagePipe(["stage", "parse-html", "--each"], stdin: #"{"id":"h","html":"<p>Hi <b>there</b></p>"}"#)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, """
            {"id":"h","after":"parse-html","text":"Hi there"}
            {"id":"h","text":"Hi there"}

            """)
    }

    func testStageCommandRejectsUnknownStagesAndOptions() throws {
        let a = try runPagePipe(["stage", "parse-htm"], stdin: "")
        XCTAssertEqual(a.status, 2)
        XCTAssertEqual(a.stderr, "pagepipe stage: invalid pipeline (1 problem):\n  stages[0]: unknown stage \"parse-htm\" (known: \(StageRegistry.names.joined(separator: ", ")))\n")
        let b = try runPagePipe(["stage", "parse-html", "--options", #"{"maxFileBytes": "x"}"#], stdin: "")
        XCTAssertEqual(b.status, 2)
        XCTAssertEqual(b.stderr, "pagepipe stage: invalid pipeline (1 problem):\n  --options.maxFileBytes: expected an integer >= 1, got \"x\"\n")
        let c = try runPagePipe(["stage", "remove-boilerplate"], stdin: #"{"id":"h","html":"<p>Hi</p>"}"#)
        XCTAssertEqual(c.status, 2)
        XCTAssertEqual(c.stdout, "")
        XCTAssertEqual(c.stderr, "pagepipe stage: invalid pipeline (1 problem):\n  stages[0]: remove-boilerplate reads tree, which no earlier stage writes: add parse-html before it\n")
    }

    /// The commands print the real registry: checked against facts written
    /// out here (MinWordsTests checks the exact output for a stage of its own).
    func testStagesAndSchemaPrintTheRegistry() throws {
        let stages = try runPagePipe(["stages"])
        XCTAssertEqual(stages.status, 0)
        XCTAssertTrue(stages.stdout.contains("""
            emit-csv (emitter)
                Write entities.csv (per document) and entities-total.csv (corpus totals).
                reads entities
                totals: boolean = true
                    Also write entities-total.csv.

            """), stages.stdout)
        XCTAssertTrue(stages.stdout.contains("""
                favor: string = "balanced"
                    Bias for doubtful blocks: drop them (precision) or keep them (recall). Allowed: one of "precision", "balanced", "recall".

            """), stages.stdout)
        let schema = try runPagePipe(["schema"])
        XCTAssertEqual(schema.status, 0)
        let json = try JSONParser.parse(schema.stdout)
        guard case .array(let variants)? = json["properties"]?["stages"]?["items"]?["oneOf"] else {
            return XCTFail("no stage variants in \(schema.stdout)")
        }
        XCTAssertEqual(variants.compactMap { $0["properties"]?["stage"]?["const"]?.stringValue },
                       ["parse-html", "remove-boilerplate", "normalize-language", "count-entities", "emit-jsonl", "emit-csv"])
        let parse = variants[0]["properties"]?["options"]?["properties"]?["maxFileBytes"]
        XCTAssertEqual(parse, try JSONParser.parse(#"{"description": "Fail pages whose file is larger than this many bytes.", "type": "integer", "minimum": 1, "default": 67108864}"#))
        let fields = variants[4]["properties"]?["options"]?["properties"]?["fields"]
        XCTAssertEqual(fields?["items"], try JSONParser.parse(#"{"enum": ["id", "url", "title", "date", "site", "author", "language", "languageConfidence", "text", "mentions", "entities"]}"#))
        XCTAssertEqual(fields?["default"], try JSONParser.parse(#"["id", "url", "title", "language", "text", "entities"]"#))
    }
}
