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
