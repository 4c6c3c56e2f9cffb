/// What a stage decided about a document.
public enum StageOutcome: Sendable, Equatable {
    /// Keep the document (possibly changed) and pass it on.
    case keep
    /// Remove the document from the output, with a short reason for the stats
    /// (e.g. "too-short"). Dropped pages are listed in `dropped.jsonl`.
    case drop(reason: String)
}

/// One step of a pipeline: reads some fields of a document and sets others.
///
/// Stages are built once per run from validated options and then called from
/// many threads at once, so they hold no mutable state.
public protocol Stage: Sendable {
    /// The stage's options, declared once (see `StageOptions`).
    associatedtype Options: StageOptions
    /// Name, documentation and fields; the registry and `pagepipe stages` read it.
    static var descriptor: StageDescriptor { get }
    /// What the stage reads and writes with these options; by default the
    /// descriptor's `fields`. A stage whose fields depend on its options says so here.
    static func fields(_ options: Options) -> StageFields
    /// Builds the stage. A value the declaration cannot check (a language the
    /// model does not know) is refused with an `OptionError` naming the option.
    init(options: Options) throws
    func process(_ document: inout Document) throws -> StageOutcome
    /// Called once the chain is known, with the fields this stage writes that
    /// no later stage reads: the stage may skip producing them.
    mutating func skipWriting(_ unread: Set<DocumentField>)
}

extension Stage {
    public static func fields(_ options: Options) -> StageFields { descriptor.fields }
    public mutating func skipWriting(_ unread: Set<DocumentField>) {}
    /// The stage with every option at its default.
    public init() throws { try self.init(options: Options()) }

    /// The stage with options given as JSON, for tests and tools; every
    /// problem with them in one `ConfigError`.
    public init(json: [String: JSONValue], baseDirectory: String = ".") throws {
        var issues: [ConfigIssue] = []
        let members = json.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        guard let options = Options.decode(.object(members), path: "options", stage: Self.descriptor.name,
                                           baseDirectory: baseDirectory, issues: &issues) else {
            throw ConfigError(file: Self.descriptor.name, issues: issues)
        }
        try self.init(options: options)
    }
}

/// A stage that writes files into the output folder. Its `process` renders a
/// document's record into `document.emitted`; the runner hands the records to
/// the sink in document order, so output does not depend on thread count.
public protocol Emitter: Stage {
    func makeSink(directory: String) throws -> any EmitterSink
}

/// Receives rendered records in document order and writes them, atomically,
/// at `commit`. It sees only the record and the document's entities (for
/// corpus totals), so that stored results (incremental runs, shards) replay
/// into exactly the bytes a fresh run writes.
public protocol EmitterSink: AnyObject {
    func write(record: [UInt8], entities: [Entity]) throws
    /// Finishes the files and moves them into place.
    func commit() throws
    /// Removes temporary files after a failed run.
    func abort()
}

public struct StageDescriptor: Sendable {
    public enum Kind: String, Sendable { case transform, emitter }

    public var name: String
    /// One line: what the stage does.
    public var summary: String
    public var kind: Kind
    /// Every option with its type, default and doc, from the stage's `Options.declaration`.
    public var options: [OptionInfo]
    /// What the stage reads and writes with its default options.
    public var fields: StageFields
    /// Decodes options given as JSON over the defaults (see `StageOptions.decode`).
    public let decodeOptions: @Sendable (_ value: JSONValue?, _ path: String, _ baseDirectory: String,
                                         _ issues: inout [ConfigIssue]) -> (any StageOptions)?
    /// The fields the stage uses with the given options (of its own `Options` type).
    public let fieldsFor: @Sendable (any StageOptions) -> StageFields
    /// Builds the stage from options of its own `Options` type.
    public let make: @Sendable (any StageOptions) throws -> any Stage
    /// Every option's value, for the pipeline's fingerprint.
    public let values: @Sendable (any StageOptions) -> [(String, JSONValue)]

    public init<S: Stage>(_ type: S.Type, name: String, summary: String, kind: Kind = .transform,
                          reads: Set<DocumentField> = [], readsIfSet: Set<DocumentField> = [], writes: Set<DocumentField> = []) {
        self.name = name
        self.summary = summary
        self.kind = kind
        options = S.Options.infos
        fields = StageFields(reads: reads, readsIfSet: readsIfSet, writes: writes)
        decodeOptions = { value, path, base, issues in
            S.Options.decode(value, path: path, stage: name, baseDirectory: base, issues: &issues)
        }
        fieldsFor = { S.fields(Self.typed($0, as: S.Options.self, name)) }
        make = { try S(options: Self.typed($0, as: S.Options.self, name)) }
        values = { Self.typed($0, as: S.Options.self, name).values }
    }

    /// The stage built with every option at its default.
    public func makeWithDefaults() throws -> any Stage {
        var issues: [ConfigIssue] = []
        guard let options = decodeOptions(nil, "options", ".", &issues) else { throw ConfigError(file: name, issues: issues) }
        return try make(options)
    }

    private static func typed<O: StageOptions>(_ options: any StageOptions, as: O.Type, _ name: String) -> O {
        guard let o = options as? O else { preconditionFailure("\(name) was given \(type(of: options)), not \(O.self)") }
        return o
    }
}
