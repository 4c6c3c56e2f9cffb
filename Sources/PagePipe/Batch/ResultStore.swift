import Foundation

/// What identifies an input file's content: size and modification time, and
/// a content hash for when those change but the bytes do not.
public struct Fingerprint: Sendable, Equatable {
    public var size: Int
    public var mtime: Int
    public var hash: UInt64

    /// Size and mtime from `stat`, the hash from reading the file (in chunks).
    public static func of(path: String, hash withHash: Bool = true) -> Fingerprint? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        let mtime = Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec)
        var fp = Fingerprint(size: Int(st.st_size), mtime: mtime, hash: 0)
        if withHash { fp.hash = contentHash(path: path) ?? 0 }
        return fp
    }

    /// 64-bit FNV-1a of a file's bytes, read 1 MiB at a time.
    public static func contentHash(path: String) -> UInt64? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var h = FNV1a()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return nil }
            if n == 0 { break }
            buffer.withUnsafeBytes { h.add(UnsafeRawBufferPointer(rebasing: $0[0 ..< n])) }
        }
        return h.value
    }
}

/// 64-bit FNV-1a: small, stable across runs and machines (unlike Hasher).
public struct FNV1a {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var h = value
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        value = h
    }
    public mutating func add(_ s: String) {
        var s = s
        s.withUTF8 { add(UnsafeRawBufferPointer($0)) }
    }
    public static func hash(_ s: String) -> UInt64 {
        var h = FNV1a()
        h.add(s)
        return h.value
    }
}

/// How one input ended, with everything the outputs need. Replaying stored
/// results into the emitters gives the same bytes as processing the pages again,
/// which is what incremental runs and `merge` rely on.
public struct DocResult: Sendable {
    public enum Status: String, Sendable { case ok, failed, dropped }
    public var id: String
    /// The output order: the input's id, and for pages inside a WARC file the
    /// file's id, a NUL and the record's ordinal (so a file's pages stay in
    /// record order, right where the file sorts).
    public var key: String
    public var status: Status
    /// For failed and dropped results: the stage and the error or reason.
    public var stage: String?
    public var message: String?
    /// Rendered records by emitter name (ok results).
    public var records: [String: [UInt8]] = [:]
    public var entities: [Entity] = []
    public var fingerprint: Fingerprint?

    init(_ result: Pipeline.Result, key: String? = nil, fingerprint: Fingerprint?) {
        self.fingerprint = fingerprint
        self.key = ""
        switch result {
        case .done(let doc):
            id = doc.id
            status = .ok
            records = doc.emitted
            entities = doc.entities ?? []
        case let .dropped(doc, stage, reason):
            id = doc.id
            status = .dropped
            self.stage = stage
            message = reason
        case let .failed(doc, stage, error):
            id = doc.id
            status = .failed
            self.stage = stage
            message = error
        }
        self.key = key ?? id
    }

    init(id: String, key: String? = nil, status: Status, stage: String? = nil, message: String? = nil) {
        self.id = id
        self.key = key ?? id
        self.status = status
        self.stage = stage
        self.message = message
    }

    var json: JSONValue {
        var m: [(String, JSONValue)] = [("id", .string(id)), ("status", .string(status.rawValue))]
        if key != id { m.append(("key", .string(key))) }
        if let stage { m.append(("stage", .string(stage))) }
        if let message { m.append(("message", .string(message))) }
        if let fp = fingerprint {
            m.append(("size", .int(fp.size)))
            m.append(("mtime", .int(fp.mtime)))
            m.append(("hash", .string(String(fp.hash, radix: 16))))
        }
        if !records.isEmpty {
            m.append(("records", .object(records.sorted { $0.key < $1.key }.map {
                ($0.key, .string(String(decoding: $0.value, as: UTF8.self)))
            })))
        }
        if !entities.isEmpty { m.append(("entities", DocumentJSON.entities(entities))) }
        return .object(m)
    }

    init(json: JSONValue) throws {
        guard let id = json["id"]?.stringValue, let s = json["status"]?.stringValue,
              let status = Status(rawValue: s) else { throw DataError("a result without id or status") }
        self.init(id: id, key: json["key"]?.stringValue, status: status)
        stage = json["stage"]?.stringValue
        message = json["message"]?.stringValue
        if case .int(let size)? = json["size"], case .int(let mtime)? = json["mtime"],
           let h = json["hash"]?.stringValue, let hash = UInt64(h, radix: 16) {
            fingerprint = Fingerprint(size: size, mtime: mtime, hash: hash)
        }
        if case .object(let rs)? = json["records"] {
            for (name, value) in rs { records[name] = Array((value.stringValue ?? "").utf8) }
        }
        if case .array(let es)? = json["entities"] {
            entities = es.compactMap { e in
                guard let name = e["name"]?.stringValue, let t = e["type"]?.stringValue,
                      let type = EntityType(rawValue: t), case .int(let count)? = e["count"] else { return nil }
                return Entity(name: name, type: type, count: count)
            }
        }
    }
}

/// `.pagepipe/results.jsonl` in an output folder: a header line, then one
/// result per input in id order. Written by incremental and sharded runs.
public enum ResultStore {
    public static let folder = ".pagepipe"
    public static let fileName = "results.jsonl"

    public struct Header: Sendable, Equatable {
        /// The pipeline's fingerprint.
        public var pipeline: String
        public var shard: ShardSpec?
        /// The pipeline itself, for a merge; absent in stores written before runs recorded it.
        public var record: PipelineRecord?

        public init(pipeline: String, shard: ShardSpec?, record: PipelineRecord? = nil) {
            self.pipeline = pipeline
            self.shard = shard
            self.record = record
        }

        var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("format", .string("pagepipe-results")),
                ("version", .int(1)),
                ("pipeline", .string(pipeline)),
                ("shard", shard.map { .string($0.description) } ?? .null),
            ]
            if let record { members.append(("record", record.json)) }
            return .object(members)
        }
    }

    public static func path(in output: String) -> String { output + "/" + folder + "/" + fileName }

    /// Reads a store in order. `nil` when there is none.
    public final class Reader {
        public let header: Header
        private var lines: LineReader
        private var pending: DocResult?
        public let path: String

        public init?(path: String) throws {
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            self.path = path
            lines = LineReader(handle)
            guard let first = lines.next(), let json = try? JSONParser.parse(first),
                  json["format"]?.stringValue == "pagepipe-results", let p = json["pipeline"]?.stringValue else {
                throw RunError(path, "not a pagepipe results file")
            }
            header = Header(pipeline: p, shard: json["shard"]?.stringValue.flatMap(ShardSpec.init(parsing:)),
                            record: json["record"].flatMap(PipelineRecord.init(json:)))
        }

        /// The next result, in id order.
        public func next() throws -> DocResult? {
            if let p = pending { pending = nil; return p }
            guard let line = lines.next(), !line.isEmpty else { return nil }
            do { return try DocResult(json: JSONParser.parse(line)) } catch {
                throw RunError(path, "corrupt result line: \(error)")
            }
        }

        /// The stored result with order key `key`, advancing past smaller keys;
        /// keys must be asked in order.
        public func find(_ key: String) throws -> DocResult? {
            while let r = try next() {
                if r.key == key { return r }
                if !r.key.utf8.lexicographicallyPrecedes(key.utf8) { pending = r; return nil }
            }
            return nil
        }

        /// The next stored result whose key starts with `prefix`, advancing past
        /// smaller keys; nil (and nothing consumed) once past the prefix.
        public func next(withPrefix prefix: String) throws -> DocResult? {
            while let r = try next() {
                if r.key.hasPrefix(prefix) { return r }
                if !r.key.utf8.lexicographicallyPrecedes(prefix.utf8) { pending = r; return nil }
            }
            return nil
        }
    }
}

/// A fingerprint of what decides the outputs: the stages, their options and
/// pagepipe's version. Stored results from another pipeline are not reused.
public func pipelineFingerprint(_ config: PipelineConfig) -> String {
    var h = FNV1a()
    h.add(PagePipeVersion.string)
    for entry in config.stages {
        h.add("|" + entry.descriptor.name)
        for (key, value) in entry.descriptor.values(entry.options).sorted(by: { $0.0 < $1.0 }) {
            h.add(";" + key + "=" + value.serialized)
        }
    }
    return String(h.value, radix: 16)
}

public enum PagePipeVersion {
    public static let string = "0.1.0"
}
