/// What a stage decided about a document.
public enum StageOutcome: Sendable, Equatable {
    /// Keep the document (possibly changed) and pass it on.
    case keep
    /// Remove the document from the output, with a short reason for the stats
    /// (e.g. "too-short"). Dropped pages are listed in `dropped.jsonl`.
    case drop(reason: String)
}

/// A failure of one page in one stage. The run records it and goes on.
public struct PageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One step of a pipeline: reads some fields of a document and sets others.
///
/// Stages are built once per run from validated options and then called from
/// many threads at once, so they hold no mutable state.
public protocol Stage: Sendable {
    /// Name, documentation and options; the registry and `pagepipe stages` read it.
    static var descriptor: StageDescriptor { get }
    init(options: StageOptions) throws
    func process(_ document: inout Document) throws -> StageOutcome
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
    public var options: [OptionSpec]
    /// The stage needs the parsed page (parse-html earlier in the chain).
    public var needsTree: Bool
    /// The stage sets `text` from the tree without reading the `text` before it,
    /// so a parse-html right before it need not render the page's text.
    public var replacesText: Bool
    public var make: @Sendable (StageOptions) throws -> any Stage

    public init<S: Stage>(_ type: S.Type, name: String, summary: String, kind: Kind = .transform,
                          needsTree: Bool = false, replacesText: Bool = false, options: [OptionSpec]) {
        self.name = name
        self.summary = summary
        self.kind = kind
        self.options = options
        self.needsTree = needsTree
        self.replacesText = replacesText
        self.make = { try S(options: $0) }
    }
}
