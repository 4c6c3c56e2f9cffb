/// The declaration of one stage option: its type, range, default and doc line.
public struct OptionSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        case bool
        case integer(min: Int?, max: Int?)
        case number(min: Double?, max: Double?)
        case string
        case choice([String])
        case stringList
        /// A file path; relative paths are taken from the pipeline file's folder.
        case path
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: JSONValue
    public var doc: String

    public init(_ name: String, _ kind: Kind, default defaultValue: JSONValue, _ doc: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.doc = doc
    }

    /// "an integer >= 0", "one of \"nfc\", \"nfkc\"", ...
    public var expectation: String {
        switch kind {
        case .bool: return "a boolean"
        case let .integer(min, max): return "an integer" + Self.range(min.map(String.init), max.map(String.init))
        case let .number(min, max): return "a number" + Self.range(min.map { "\($0)" }, max.map { "\($0)" })
        case .string: return "a string"
        case .choice(let values): return "one of " + values.map { "\"\($0)\"" }.joined(separator: ", ")
        case .stringList: return "an array of strings"
        case .path: return "a file path (string)"
        }
    }

    public var typeName: String {
        switch kind {
        case .bool: return "boolean"
        case .integer: return "integer"
        case .number: return "number"
        case .string, .path: return "string"
        case .choice: return "string"
        case .stringList: return "array of strings"
        }
    }

    private static func range(_ lo: String?, _ hi: String?) -> String {
        switch (lo, hi) {
        case let (lo?, hi?): return " between \(lo) and \(hi)"
        case let (lo?, nil): return " >= \(lo)"
        case let (nil, hi?): return " <= \(hi)"
        case (nil, nil): return ""
        }
    }

    /// Checks a value; returns it normalized (an integer given for a number
    /// becomes a double) or nil when it does not fit.
    func accept(_ value: JSONValue) -> JSONValue? {
        switch (kind, value) {
        case (.bool, .bool): return value
        case let (.integer(lo, hi), .int(n)):
            if let lo, n < lo { return nil }
            if let hi, n > hi { return nil }
            return value
        case (.number, .int(let n)):
            return accept(.double(Double(n)))
        case let (.number(lo, hi), .double(d)):
            if let lo, d < lo { return nil }
            if let hi, d > hi { return nil }
            return value
        case (.string, .string), (.path, .string): return value
        case let (.choice(values), .string(s)): return values.contains(s) ? value : nil
        case let (.stringList, .array(items)):
            return items.allSatisfy { $0.stringValue != nil } ? value : nil
        default: return nil
        }
    }
}

/// A stage's options after validation: every declared option has a value.
public struct StageOptions: Sendable {
    public private(set) var values: [String: JSONValue]
    /// The folder relative paths are resolved against.
    public var baseDirectory: String

    public init(_ values: [String: JSONValue] = [:], baseDirectory: String = ".") {
        self.values = values
        self.baseDirectory = baseDirectory
    }

    /// Defaults for every option of `specs`, overlaid with `given` (already validated).
    public init(specs: [OptionSpec], given: [String: JSONValue], baseDirectory: String) {
        var v: [String: JSONValue] = [:]
        for spec in specs { v[spec.name] = given[spec.name] ?? spec.defaultValue }
        self.init(v, baseDirectory: baseDirectory)
    }

    private func value(_ name: String) -> JSONValue {
        guard let v = values[name] else { preconditionFailure("option \(name) was not declared") }
        return v
    }

    public func bool(_ name: String) -> Bool {
        if case .bool(let b) = value(name) { return b }
        preconditionFailure("option \(name) is not a boolean")
    }

    public func int(_ name: String) -> Int {
        if case .int(let n) = value(name) { return n }
        preconditionFailure("option \(name) is not an integer")
    }

    public func double(_ name: String) -> Double {
        switch value(name) {
        case .double(let d): return d
        case .int(let n): return Double(n)
        default: preconditionFailure("option \(name) is not a number")
        }
    }

    public func string(_ name: String) -> String? {
        if case .string(let s) = value(name) { return s }
        return nil
    }

    public func strings(_ name: String) -> [String] {
        if case .array(let items) = value(name) { return items.compactMap(\.stringValue) }
        return []
    }

    /// A path option resolved against the pipeline file's folder; nil when unset.
    public func path(_ name: String) -> String? {
        guard let p = string(name), !p.isEmpty else { return nil }
        if p.hasPrefix("/") { return p }
        return baseDirectory == "." ? p : baseDirectory + "/" + p
    }
}
