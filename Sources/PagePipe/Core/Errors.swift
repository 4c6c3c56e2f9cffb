import Foundation

// Every error pagepipe reports has a type here, by what went wrong and when,
// and each message names its place: the option's path, the file, the page.
// `ExitStatus` maps them to the exit codes the README documents.

/// A failure of one page in one stage (empty, binary, cut off, over a size
/// cap, no text). The run records it in errors.jsonl and goes on.
public struct PageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A configuration problem, with the JSON path it concerns.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// All configuration problems found at once.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var issues: [ConfigIssue]
    public var description: String {
        "\(file): invalid pipeline (\(issues.count) problem\(issues.count == 1 ? "" : "s")):\n"
            + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// A bundled file (model, profile, gazetteer) that is missing, unreadable or
/// damaged. Stops the pipeline when a stage is built, before any input is read.
public enum ResourceError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No place of the search path (`Resources.searchPath`) holds the file.
    case notFound(file: String, searched: [String])
    case unreadable(path: String, reason: String)
    /// The file is there but not what its reader expects; `remedy` says how to rebuild it.
    case damaged(path: String, reason: String, remedy: String)

    public var description: String {
        switch self {
        case let .notFound(file, searched):
            return "resource file \(file) not found (searched: "
                + (searched.isEmpty ? "nowhere: no PAGEPIPE_DATA and no executable path" : searched.joined(separator: ", "))
                + "; set PAGEPIPE_DATA to the folder that holds it)"
        case let .unreadable(path, reason):
            return "cannot read resource file \(path): \(reason)"
        case let .damaged(path, reason, remedy):
            return "resource file \(path) is damaged: \(reason)" + (remedy.isEmpty ? "" : " (\(remedy))")
        }
    }
}

/// An option value a stage refuses when it is built, for a reason its
/// declaration cannot check (a language the model does not know, a dictionary
/// file that does not parse). Reported as `stages[K].options.OPTION: message`.
public struct OptionError: Error, CustomStringConvertible, Sendable, Equatable {
    public var option: String
    public var message: String
    public init(_ option: String, _ message: String) {
        self.option = option
        self.message = message
    }
    public var description: String { "\(option): \(message)" }
}

/// A run that cannot start: an input folder that cannot be read, an output
/// folder that cannot be locked, a shard that the environment does not give,
/// shard folders that do not make a whole. Found before any page is read.
public struct SetupError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An I/O failure of the run's own files once it has started: an output or
/// its temporary file that cannot be created, written or renamed, a results
/// store that cannot be read back. The outputs of the previous run are left
/// as they were; the message names the file.
public struct RunError: Error, CustomStringConvertible, Sendable, Equatable {
    public var path: String
    public var message: String
    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }
    /// The failure of the last system call on `path`, in words.
    public static func errno(_ path: String, _ what: String) -> RunError {
        RunError(path, "\(what): \(String(cString: strerror(Foundation.errno)))")
    }
    public var description: String { "\(path): \(message)" }
}

/// The content of a data file is not what its reader expects: a damaged model
/// or profile, a watch list that is not the documented JSON. The loader adds
/// the file's path (`ResourceError.damaged`, the `dictionary` option's error).
public struct DataError: Error, CustomStringConvertible, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The exit codes of `pagepipe`, documented in the README.
public enum ExitStatus {
    /// Every page succeeded.
    public static let ok: Int32 = 0
    /// Some pages failed (errors.jsonl); the rest of the output is complete.
    public static let somePagesFailed: Int32 = 1
    /// A bad pipeline file, option, resource or input: nothing was read.
    public static let configuration: Int32 = 2
    /// Command-line usage error (swift-argument-parser's EX_USAGE).
    public static let usage: Int32 = 64
    /// An I/O error on the run's own files after it started (sysexits' EX_IOERR).
    public static let ioError: Int32 = 74
    /// The output folder is locked by another run (sysexits' EX_TEMPFAIL).
    public static let locked: Int32 = 75

    /// The exit code for an error that stopped a command.
    public static func code(for error: Error) -> Int32 {
        switch error {
        case is RunError: return ioError
        case is OutputLock.Held: return locked
        default: return configuration
        }
    }
}
