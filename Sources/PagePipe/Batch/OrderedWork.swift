import Foundation

/// Hands out units of work to workers, at most `window` ahead of the writer,
/// and gives their outcomes back in order.
final class OrderedWork: @unchecked Sendable {
    private let lock = NSCondition()
    private let window: Int
    private let source: WorkSource
    private var next = 0
    private var exhausted = false
    private var written = 0
    private var cancelled = false
    private var results: [Int: Runner.Outcome] = [:]

    init(window: Int, source: WorkSource) {
        self.window = window
        self.source = source
    }

    /// The next unit and its position, or nil when there is no more work.
    func take() -> (Int, WorkUnit)? {
        lock.lock()
        defer { lock.unlock() }
        while !cancelled && !exhausted && next >= written + window { lock.wait() }
        if cancelled || exhausted { return nil }
        guard let unit = source.nextUnit() else {
            exhausted = true
            lock.broadcast()
            return nil
        }
        next += 1
        return (next - 1, unit)
    }

    func put(_ index: Int, _ outcome: Runner.Outcome) {
        lock.lock()
        results[index] = outcome
        lock.broadcast()
        lock.unlock()
    }

    /// Waits for the outcome at `index` (asked for 0, 1, 2, ... in order); nil after the last.
    func result(_ index: Int) -> Runner.Outcome? {
        lock.lock()
        defer { lock.unlock() }
        while results[index] == nil && !(exhausted && index >= next) { lock.wait() }
        guard let outcome = results.removeValue(forKey: index) else { return nil }
        written = index + 1
        lock.broadcast()
        return outcome
    }

    func cancel() {
        lock.lock()
        cancelled = true
        lock.broadcast()
        lock.unlock()
    }
}
