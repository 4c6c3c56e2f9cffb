/// One part of a run split N ways for array-job schedulers: shard K of N
/// (1-based) takes the pages whose id hashes to K - 1 modulo N, so the split
/// depends only on the ids, never on the machine or the order of the walk.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    public var index: Int   // 1 ... count
    public var count: Int

    public init?(index: Int, count: Int) {
        guard count >= 1, index >= 1, index <= count else { return nil }
        self.index = index
        self.count = count
    }

    /// "K/N".
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]) else { return nil }
        self.init(index: k, count: n)
    }

    public var description: String { "\(index)/\(count)" }

    public func contains(id: String) -> Bool {
        Int(FNV1a.hash(id) % UInt64(count)) == index - 1
    }

    /// The shard from the scheduler's environment: Slurm array jobs
    /// (SLURM_ARRAY_TASK_ID counted from SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT)
    /// or Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based, with `count`).
    public static func fromEnvironment(_ env: [String: String], count: Int?) throws -> ShardSpec {
        if let id = env["SLURM_ARRAY_TASK_ID"].flatMap(Int.init) {
            let min = env["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init) ?? 0
            guard let n = count ?? env["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) else {
                throw SetupError("--shard auto: SLURM_ARRAY_TASK_COUNT is not set; give --shard-count")
            }
            guard let spec = ShardSpec(index: id - min + 1, count: n) else {
                throw SetupError("--shard auto: Slurm task \(id) (min \(min)) does not fit \(n) shards")
            }
            return spec
        }
        if let index = env["JOB_COMPLETION_INDEX"].flatMap(Int.init) {
            guard let n = count else {
                throw SetupError("--shard auto: JOB_COMPLETION_INDEX is set but the shard count is not; give --shard-count (the Job's completions)")
            }
            guard let spec = ShardSpec(index: index + 1, count: n) else {
                throw SetupError("--shard auto: JOB_COMPLETION_INDEX \(index) does not fit \(n) shards")
            }
            return spec
        }
        throw SetupError("--shard auto: neither SLURM_ARRAY_TASK_ID nor JOB_COMPLETION_INDEX is set")
    }
}
