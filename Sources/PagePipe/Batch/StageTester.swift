import Foundation

/// `pagepipe stage`: runs named stages on JSON Lines input, one object per
/// line with an `id` and one of `path` (a file, .gz allowed), `html` or `text`,
/// and prints one object per line with the same `id` and every field the stages set.
/// The reference tools drive pagepipe through this: keep the format stable.
public struct StageTester {
    public let pipeline: Pipeline

    /// - Parameter options: one stage's options, or an object keyed by stage name.
    public init(stageNames: [String], options: JSONValue?, baseDirectory: String = ".",
                registry: StageRegistry = .standard) throws {
        var issues: [ConfigIssue] = []
        var entries: [PipelineConfig.StageEntry] = []
        let keyed: Bool = {
            guard case .object(let members)? = options, !members.isEmpty else { return false }
            return members.allSatisfy { m in stageNames.contains(m.0) } && stageNames.count >= 1
                && !(stageNames.count == 1 && registry.descriptor(named: stageNames[0])?.options
                    .contains { $0.name == members[0].0 } == true)
        }()
        var paths: [String] = []
        for (k, name) in stageNames.enumerated() {
            guard let d = registry.descriptor(named: name) else {
                issues.append(ConfigIssue(path: "stages[\(k)]", message: "unknown stage \"\(name)\" (known: \(registry.names.joined(separator: ", ")))"))
                continue
            }
            if d.kind == .emitter {
                issues.append(ConfigIssue(path: "stages[\(k)]", message: "\(name) writes files; use `pagepipe run` for emitters"))
                continue
            }
            let given: JSONValue? = keyed ? options?[name] : (stageNames.count == 1 ? options : nil)
            if !keyed, stageNames.count > 1, options != nil, k == 0 {
                issues.append(ConfigIssue(path: "--options", message: "with several stages, give an object keyed by stage name"))
            }
            if let o = d.decodeOptions(given, keyed ? "--options.\(name)" : "--options", baseDirectory, &issues) {
                entries.append(PipelineConfig.StageEntry(descriptor: d, options: o))
                paths.append("stages[\(k)]")
            }
        }
        if issues.isEmpty { issues = PipelineConfig.checkChain(entries, given: Self.input, paths: paths, registry: registry) }
        if !issues.isEmpty { throw ConfigError(file: "pagepipe stage", issues: issues) }
        pipeline = try PipelineConfig(stages: entries, inputs: [], output: nil).build(file: "pagepipe stage", skipUnread: false)
    }

    /// The fields an input line can give (`path` or `html` is the page's bytes).
    public static let input: Set<DocumentField> = [.id, .html, .text, .url, .language]

    /// Turns one input line into a document, or an error message.
    public static func document(from line: String, number: Int) -> Result<Document, PageError> {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch {
            return .failure(PageError("line \(number): not valid JSON: \(error)"))
        }
        guard case .object = json else { return .failure(PageError("line \(number): expected a JSON object")) }
        let id: String
        switch json["id"] {
        case .string(let s)?: id = s
        case .int(let n)?: id = String(n)
        default: return .failure(PageError("line \(number): missing \"id\" (a string)"))
        }
        var doc = Document(id: id)
        if let p = json["path"]?.stringValue {
            doc.sourcePath = p
        } else if let h = json["html"]?.stringValue {
            doc.html = Array(h.utf8)
        } else if let t = json["text"]?.stringValue {
            doc.text = t
        } else {
            return .failure(PageError("line \(number) (id \(id)): needs one of \"path\", \"html\", \"text\""))
        }
        if let u = json["url"]?.stringValue { doc.url = u }
        if let l = json["language"]?.stringValue { doc.language = l }
        return .success(doc)
    }

    /// Processes stdin to stdout. Returns the number of failed lines.
    /// - Parameter each: also print the document after every stage, with a
    ///   `"after"` field naming the stage, before the final object.
    public func run(input: FileHandle = .standardInput, output: FileHandle = .standardOutput, each: Bool = false) -> Int {
        var failed = 0
        var number = 0
        var out: [UInt8] = []
        for line in LineReader(input) {
            number += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
            var w = JSONWriter()
            switch Self.document(from: line, number: number) {
            case .failure(let e):
                failed += 1
                w.value(.object([("id", .null), ("stage", .string("input")), ("error", .string(e.message))]))
            case .success(let doc):
                var stats = pipeline.emptyStats()
                let trace: ((Int, Document) -> Void)? = each ? { k, d in
                    guard case .object(var m) = DocumentJSON.object(d) else { return }
                    m.insert(("after", .string(self.pipeline.descriptors[k].name)), at: 1)
                    w.value(.object(m))
                    w.bytes.append(0x0A)
                } : nil
                switch pipeline.run(doc, stats: &stats, after: trace) {
                case .done(let d):
                    w.value(DocumentJSON.object(d))
                case let .dropped(d, stage, reason):
                    var o = DocumentJSON.object(d)
                    if case .object(var m) = o { m.append(("dropped", .object([("stage", .string(stage)), ("reason", .string(reason))]))); o = .object(m) }
                    w.value(o)
                case let .failed(d, stage, error):
                    failed += 1
                    w.value(.object([("id", .string(d.id)), ("stage", .string(stage)), ("error", .string(error))]))
                }
            }
            out.append(contentsOf: w.bytes)
            out.append(0x0A)
            if out.count > 1 << 16 {
                output.write(Data(out))
                out.removeAll(keepingCapacity: true)
            }
        }
        output.write(Data(out))
        return failed
    }
}

/// Lines of a file handle, read in large chunks.
struct LineReader: Sequence, IteratorProtocol {
    let handle: FileHandle
    var buffer: [UInt8] = []
    var position = 0
    var eof = false

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func next() -> String? {
        while true {
            if let nl = buffer[position...].firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[position ..< nl], as: UTF8.self)
                position = nl + 1
                return line
            }
            if eof {
                guard position < buffer.count else { return nil }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.count
                return line
            }
            buffer.removeSubrange(0 ..< position)
            position = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
        }
    }
}
