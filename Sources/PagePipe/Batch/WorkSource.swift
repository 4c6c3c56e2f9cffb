/// One unit of work, in output order.
enum WorkUnit {
    /// A page file to run through the stages.
    case page(InputItem, hash: Bool)
    /// A page read from a WARC file.
    case document(Document, key: String, fingerprint: Fingerprint?, itemFinished: Bool)
    /// An input that already failed (walk error, unreadable or corrupt WARC).
    case failed(DocResult, itemFinished: Bool)
    /// An unchanged input whose stored results are replayed.
    case reused(Int)
}

/// Turns the sorted inputs into units of work: one per page file, one per
/// HTML page of a WARC file (read record by record, so a 1 GB WARC never sits
/// in memory). Called under `OrderedWork`'s lock, from one thread at a time.
final class WorkSource {
    let items: [InputItem]
    let reuse: [Bool]
    let hashInputs: Bool
    private var next = 0
    private var warc: (reader: WARCReader, item: InputItem, fingerprint: Fingerprint?, ordinal: Int)?
    private var lookahead: WARCPage?
    private var pendingError: Error?
    /// WARC records that were not pages, by reason, over the run.
    private(set) var warcSkipped: [String: Int] = [:]

    init(items: [InputItem], reuse: [Bool], hashInputs: Bool) {
        self.items = items
        self.reuse = reuse
        self.hashInputs = hashInputs
    }

    static func key(_ item: InputItem, ordinal: Int) -> String {
        let digits = String(ordinal)
        return item.id + "\u{0}" + String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    func nextUnit() -> WorkUnit? {
        if let current = warc {
            return nextWARCUnit(current)
        }
        guard next < items.count else { return nil }
        let index = next
        next += 1
        let item = items[index]
        if reuse[index] { return .reused(index) }
        if let error = item.error {
            return .failed(DocResult(id: item.id, status: .failed, stage: "input", message: error), itemFinished: true)
        }
        guard item.isWARC else { return .page(item, hash: hashInputs) }
        let fingerprint = hashInputs ? Fingerprint.of(path: item.path) : nil
        do {
            let reader = try WARCReader(path: item.path)
            warc = (reader, item, fingerprint, 0)
            lookahead = nil
            return nextWARCUnit(warc!)
        } catch {
            var r = DocResult(id: item.id, key: Self.key(item, ordinal: 0), status: .failed, stage: "input", message: "\(error)")
            r.fingerprint = fingerprint
            return .failed(r, itemFinished: true)
        }
    }

    /// The WARC's next page (looking one ahead, to know when the file ends), or
    /// a failure for a corrupt record; moves on to the next input at the end.
    private func nextWARCUnit(_ current: (reader: WARCReader, item: InputItem, fingerprint: Fingerprint?, ordinal: Int)) -> WorkUnit? {
        let (reader, item, fingerprint, ordinal) = current
        func failure(_ error: Error) -> WorkUnit {
            // The pages before the corrupt record were returned; record the failure and move on.
            finishWARC(reader)
            var r = DocResult(id: item.id + "#offset-\((error as? WARCError)?.offset ?? 0)",
                              key: Self.key(item, ordinal: ordinal + 1), status: .failed, stage: "input", message: "\(error)")
            r.fingerprint = fingerprint
            return .failed(r, itemFinished: true)
        }
        if let error = pendingError { return failure(error) }
        let page: WARCPage
        do {
            if let l = lookahead { page = l } else if let p = try reader.nextPage() { page = p } else {
                finishWARC(reader)
                // A WARC without any HTML page contributes no document.
                return nextUnit()
            }
        } catch {
            return failure(error)
        }
        do {
            lookahead = try reader.nextPage()
        } catch {
            lookahead = nil
            pendingError = error
        }
        let last = lookahead == nil && pendingError == nil
        if last { finishWARC(reader) } else { warc = (reader, item, fingerprint, ordinal + 1) }
        var doc = page.document(file: item.id, sourcePath: item.path)
        doc.sourcePath = item.path
        return .document(doc, key: Self.key(item, ordinal: ordinal + 1), fingerprint: fingerprint, itemFinished: last)
    }

    private func finishWARC(_ reader: WARCReader) {
        for (reason, n) in reader.skipped { warcSkipped[reason, default: 0] += n }
        warc = nil
        lookahead = nil
        pendingError = nil
    }
}
