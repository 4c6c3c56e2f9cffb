import XCTest
@testable import PagePipe

/// The pipeline a results store records: read back as the same pipeline, and
/// differences named in words.
final class PipelineRecordTests: XCTestCase {
    func config(_ text: String) throws -> PipelineConfig {
        try PipelineConfig.parse(bytes: Array(text.utf8), file: "t.json", baseDirectory: "/srv/pipelines")
    }

    /// Every stage and option (defaults included) survives the header's JSON and
    /// gives back a pipeline with the same fingerprint.
    func testTheRepositorysPipelineRoundTrips() throws {
        let original = try PipelineConfig.load(path: repoRoot + "/pipeline.json")
        let record = PipelineRecord(original, baseDirectory: repoRoot)
        let header = ResultStore.Header(pipeline: pipelineFingerprint(original), shard: ShardSpec(index: 2, count: 3), record: record)
        let read = try XCTUnwrap(PipelineRecord(json: try XCTUnwrap(header.json["record"])))
        XCTAssertEqual(read, record)
        XCTAssertEqual(read.baseDirectory, repoRoot)
        XCTAssertEqual(read.stages.map(\.name), original.stages.map(\.descriptor.name))
        XCTAssertTrue(read.stages.allSatisfy { !$0.options.isEmpty || $0.name.hasPrefix("emit-") }, "defaults are recorded")
        let rebuilt = try read.config(file: "x")
        XCTAssertEqual(pipelineFingerprint(rebuilt), pipelineFingerprint(original))
        XCTAssertEqual(PipelineRecord(rebuilt, baseDirectory: repoRoot), record)
    }

    /// A relative path option is resolved against the recorded folder, not the
    /// merge's working folder.
    func testPathOptionsResolveAgainstTheRecordedFolder() throws {
        let record = PipelineRecord(try config(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "count-entities", "options": {"dictionary": "watch.json", "dictionaryMode": "only"}}, {"stage": "emit-jsonl"}]}"#),
                                    baseDirectory: "/srv/pipelines")
        XCTAssertEqual(record.stages[1].options["dictionary"], .string("watch.json"))
        let options = try XCTUnwrap(try record.config(file: "shard").stages[1].options as? CountEntities.Options)
        XCTAssertEqual(options.dictionary?.resolved, "/srv/pipelines/watch.json")
    }

    func testTheFirstDifferenceIsNamed() throws {
        let base = try config(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "remove-boilerplate", "options": {"headline": true}}, {"stage": "emit-jsonl"}]}"#)
        let a = PipelineRecord(base, baseDirectory: "/a")
        XCTAssertNil(a.difference(from: PipelineRecord(base, baseDirectory: "/elsewhere"), this: "x", that: "y"),
                     "the folder is not part of the comparison")
        XCTAssertEqual(a.difference(from: PipelineRecord(base, baseDirectory: "/a", pagepipe: "9.9.9"), this: "x", that: "y"),
                       "pagepipe \(PagePipeVersion.string) in x, 9.9.9 in y")
        let headline = PipelineRecord(try config(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "remove-boilerplate"}, {"stage": "emit-jsonl"}]}"#),
                                      baseDirectory: "/a")
        XCTAssertEqual(a.difference(from: headline, this: "x", that: "y"),
                       "stages[1] remove-boilerplate option headline: true in x, false in y")
        let shorter = PipelineRecord(try config(#"{"version": 1, "stages": [{"stage": "parse-html"}, {"stage": "emit-jsonl"}]}"#),
                                     baseDirectory: "/a")
        XCTAssertEqual(a.difference(from: shorter, this: "x", that: "y"),
                       "stages parse-html -> remove-boilerplate -> emit-jsonl in x, parse-html -> emit-jsonl in y")
    }

    func testAHeaderWithoutARecordReadsAsNone() {
        XCTAssertNil(PipelineRecord(json: .object([("pagepipe", .string("0.1.0"))])))
        XCTAssertNil(ResultStore.Header(pipeline: "f", shard: nil).json["record"])
    }
}
