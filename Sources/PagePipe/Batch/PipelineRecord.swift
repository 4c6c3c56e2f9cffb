import Foundation

/// The pipeline a run records in the header of its results store
/// (`.pagepipe/results.jsonl`): pagepipe's version and every stage with every
/// option's value, defaults included, in pipeline.json's form. `pagepipe merge`
/// rebuilds the pipeline from the shards' records, so it needs no pipeline
/// file, and names the first difference between shards that disagree.
public struct PipelineRecord: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var name: String
        /// Every option, sorted by name.
        public var options: [String: JSONValue]
    }

    /// The version of pagepipe that ran the pipeline.
    public var pagepipe: String
    public var stages: [Stage]
    /// The folder of the pipeline file, where relative paths in options
    /// (a dictionary) were resolved. Not part of the comparison: shards may read
    /// one pipeline file from different mounts.
    public var baseDirectory: String

    public init(_ config: PipelineConfig, baseDirectory: String, pagepipe: String = PagePipeVersion.string) {
        self.pagepipe = pagepipe
        self.baseDirectory = baseDirectory
        stages = config.stages.map { entry in
            Stage(name: entry.descriptor.name,
                  options: Dictionary(entry.descriptor.values(entry.options), uniquingKeysWith: { first, _ in first }))
        }
    }

    public static func == (a: PipelineRecord, b: PipelineRecord) -> Bool {
        a.pagepipe == b.pagepipe && a.stages == b.stages
    }

    /// The record as the results header stores it.
    var json: JSONValue {
        .object([
            ("pagepipe", .string(pagepipe)),
            ("baseDirectory", .string(baseDirectory)),
            ("stages", stagesJSON),
        ])
    }

    /// The stages as pipeline.json lists them.
    private var stagesJSON: JSONValue {
        .array(stages.map { stage in
            .object([("stage", .string(stage.name)),
                     ("options", .object(stage.options.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))])
        })
    }

    /// A record read back from a results header; nil when it is not one.
    init?(json: JSONValue) {
        guard let version = json["pagepipe"]?.stringValue, let base = json["baseDirectory"]?.stringValue,
              case .array(let items)? = json["stages"] else { return nil }
        var stages: [Stage] = []
        for item in items {
            guard let name = item["stage"]?.stringValue, case .object(let options)? = item["options"] else { return nil }
            stages.append(Stage(name: name, options: Dictionary(options, uniquingKeysWith: { first, _ in first })))
        }
        pagepipe = version
        baseDirectory = base
        self.stages = stages
    }

    /// The pipeline again, checked as a pipeline file would be; `file` names
    /// where the record came from in messages.
    public func config(file: String) throws -> PipelineConfig {
        let json = JSONValue.object([("version", .int(1)), ("stages", stagesJSON)])
        return try PipelineConfig.validate(json, file: file, baseDirectory: baseDirectory)
    }

    /// The first difference between two records in words ("stages[1]
    /// remove-boilerplate option headline: true here, false there"), with
    /// `self` called `this` and `other` called `that`; nil when they agree.
    public func difference(from other: PipelineRecord, this: String, that: String) -> String? {
        if pagepipe != other.pagepipe {
            return "pagepipe \(pagepipe) in \(this), \(other.pagepipe) in \(that)"
        }
        let names = stages.map(\.name), otherNames = other.stages.map(\.name)
        if names != otherNames {
            return "stages \(names.joined(separator: " -> ")) in \(this), \(otherNames.joined(separator: " -> ")) in \(that)"
        }
        for (k, (a, b)) in zip(stages, other.stages).enumerated() {
            for key in Set(a.options.keys).union(b.options.keys).sorted() where a.options[key] != b.options[key] {
                return "stages[\(k)] \(a.name) option \(key): \(a.options[key]?.serialized ?? "absent") in \(this), "
                    + "\(b.options[key]?.serialized ?? "absent") in \(that)"
            }
        }
        return nil
    }
}
