import Foundation
import PagePipe

/// Trains a `LanguageModel` from sentences per language: one table per script
/// (every language whose training text is at least `scriptShare` in that script
/// gets a lane in it), multinomial naive Bayes over hashed character n-grams of
/// that script's letters (each sentence also without its diacritics),
/// per-language offsets, quantization to one byte per bucket and lane, and the
/// fit byte (the likeliest lane's own cost). `trainCalibrated` then fits the
/// confidence on held-out text. Deterministic: same data and settings, same bytes.
public struct LanguageTrainer {
    public struct Settings: Sendable {
        /// log2 of the buckets of a group with `bigGroup` lanes or more, and of a smaller one.
        public var bits = 17
        public var smallBits = 15
        public var bigGroup = 4
        public var maxOrder = 5
        public var wholeWords = true
        public var acrossWords = false
        /// Log-probability added to every feature of a language (nats). Ukrainian's
        /// training text is parliamentary speech only, narrower than the others: on
        /// out-of-domain text (scripts/langid_crossdomain.py) 5% of Ukrainian went to
        /// Russian and no Russian to Ukrainian; +0.2 brings that to 2%, with no change
        /// on held-out training text (train-langid --dev 10). Retune when the data changes.
        public var bias: [String: Double] = ["uk": 0.2]
        /// Additive smoothing of n-gram counts.
        public var alpha = 0.05
        /// Cost units per nat; costs clip at 255 units.
        public var scale = 48.0
        /// Weight of each sentence's copy without diacritics (web text often lacks them); 0 disables.
        public var strippedWeight = 0.5
        /// A script belongs to a language when at least this share of its training letters use it.
        public var scriptShare = 0.1
        /// Calibration: held-out text is every `calibrationEvery`th block of
        /// `blockLines` lines of each language; margins are capped at `marginCap`
        /// nats; text of a language scored without its own lanes (as if it had no
        /// profile) weighs `unknownWeight` against text of known languages.
        public var calibrationEvery = 10
        public var blockLines = 20
        public var marginCap = 30.0
        public var unknownWeight = 0.5
        public init() {}
    }

    public let settings: Settings
    public init(settings: Settings) { self.settings = settings }

    /// Splits each language's sentences into kept and held-out ones: every
    /// `every`th block of `blockLines` consecutive lines is held out (whole
    /// blocks, so a document's sentences mostly stay on one side).
    public static func split(_ corpus: [(language: String, sentences: [String])], every: Int, blockLines: Int)
        -> (kept: [(language: String, sentences: [String])], held: [(language: String, sentences: [String])]) {
        var kept: [(language: String, sentences: [String])] = [], held: [(language: String, sentences: [String])] = []
        for (lang, sentences) in corpus {
            var k: [String] = [], h: [String] = []
            for (i, s) in sentences.enumerated() {
                if every > 0, (i / blockLines) % every == every - 1 { h.append(s) } else { k.append(s) }
            }
            kept.append((lang, k))
            held.append((lang, h))
        }
        return (kept, held)
    }

    /// Trains on `corpus` (language code -> sentences, in a fixed order), with the
    /// confidence fitted on held-out blocks of it: a first profile is trained
    /// without them and calibrated on them, then the profile is trained on all of it.
    public func trainCalibrated(_ corpus: [(language: String, sentences: [String])],
                                progress: (String) -> Void = { _ in }) -> LanguageModel {
        let (kept, held) = Self.split(corpus, every: settings.calibrationEvery, blockLines: settings.blockLines)
        let first = train(kept, progress: progress)
        let calibration = calibrate(first, held, progress: progress)
        let model = train(corpus, progress: progress)
        return model.with(calibration: calibration)
    }

    /// Examples for the calibration: per held-out text, the calibration's inputs
    /// and whether the answer was right; each text once with every language
    /// allowed, and once without its own (as text of a language the profile does
    /// not know, whose answer is always wrong).
    public func calibrationExamples(_ model: LanguageModel, _ held: [(language: String, sentences: [String])],
                                    laneFit: [Double]) -> [(x: [Double], right: Bool, weight: Double, known: Bool)] {
        var out: [(x: [Double], right: Bool, weight: Double, known: Bool)] = []
        let all = Set(model.languages)
        for (entry, sentences) in held {
            // "zh-Hans" and "zh-Hant" are text of "zh".
            let lang = String(entry.prefix { $0 != "-" })
            guard all.contains(lang) else { continue }
            var texts = sentences
            // Paragraphs of three, so that longer texts are represented too.
            for k in stride(from: 0, to: sentences.count - 2, by: 3) {
                texts.append(sentences[k ..< k + 3].joined(separator: " "))
            }
            let others = all.subtracting([lang])
            for t in texts {
                for known in [true, false] {
                    let a = model.analyze(t, allowed: known ? nil : others)
                    guard let lane = a.lane else { continue }
                    let misfit = max(0, a.nll - laneFit[lane])
                    out.append((Calibration.inputs(margin: a.margin, features: a.features, misfit: misfit, ownCost: a.ownCost),
                                known && a.best == lang, known ? 1 : settings.unknownWeight, known))
                }
            }
        }
        return out
    }

    /// Fits the calibration of `model` on held-out text.
    public func calibrate(_ model: LanguageModel, _ held: [(language: String, sentences: [String])],
                          progress: (String) -> Void = { _ in }) -> Calibration {
        let uncalibrated = model.with(calibration: Calibration(marginCap: settings.marginCap, weights: [],
                                                               laneFit: [Double](repeating: 0, count: model.lanes.count)))
        // Per lane: nats per feature of held-out text of its language, over the texts it wins.
        var sum = [Double](repeating: 0, count: model.lanes.count), count = sum
        for (entry, sentences) in held {
            let lang = String(entry.prefix { $0 != "-" })
            for t in sentences {
                let a = uncalibrated.analyze(t, allowed: [lang])
                guard let lane = a.lane, a.features > 0 else { continue }
                sum[lane] += a.nll * a.features
                count[lane] += a.features
            }
        }
        // A lane with no held-out text (none of its script): the mean of the others.
        let known = (0 ..< sum.count).filter { count[$0] > 0 }
        let mean = known.isEmpty ? 0 : known.map { sum[$0] / count[$0] }.reduce(0, +) / Double(known.count)
        let laneFit = (0 ..< sum.count).map { count[$0] > 0 ? sum[$0] / count[$0] : mean }
        let examples = calibrationExamples(uncalibrated, held, laneFit: laneFit)
        let weights = Self.logistic(examples.map(\.x), examples.map(\.right), examples.map(\.weight))
        progress("calibration: \(examples.count) examples, weights \(weights.map { String(format: "%.3f", $0) }.joined(separator: " "))")
        return Calibration(marginCap: settings.marginCap, weights: weights, laneFit: laneFit)
    }

    /// Weighted logistic regression by Newton's method, with a little L2 on the
    /// weights other than the intercept.
    static func logistic(_ x: [[Double]], _ y: [Bool], _ w: [Double], iterations: Int = 30, l2: Double = 1e-3) -> [Double] {
        guard let d = x.first?.count else { return [] }
        var beta = [Double](repeating: 0, count: d)
        for _ in 0 ..< iterations {
            var h = [[Double]](repeating: [Double](repeating: 0, count: d), count: d)
            var g = [Double](repeating: 0, count: d)
            var total = 0.0
            for (i, xi) in x.enumerated() {
                var z = 0.0
                for k in 0 ..< d { z += beta[k] * xi[k] }
                let p = 1 / (1 + exp(-z))
                let r = (y[i] ? 1 : 0) - p
                let s = max(p * (1 - p), 1e-9) * w[i]
                total += w[i]
                for a in 0 ..< d {
                    g[a] += w[i] * r * xi[a]
                    for b in 0 ..< d { h[a][b] += s * xi[a] * xi[b] }
                }
            }
            for a in 1 ..< d {
                g[a] -= l2 * total * beta[a]
                h[a][a] += l2 * total
            }
            guard let step = solve(h, g) else { break }
            for k in 0 ..< d { beta[k] += step[k] }
            if step.map(abs).max()! < 1e-7 { break }
        }
        return beta
    }

    /// Solves `a x = b` by Gaussian elimination with partial pivoting.
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double]? {
        var m = a
        var v = b
        let n = v.count
        for c in 0 ..< n {
            var p = c
            for r in c + 1 ..< n where abs(m[r][c]) > abs(m[p][c]) { p = r }
            guard abs(m[p][c]) > 1e-12 else { return nil }
            m.swapAt(c, p)
            v.swapAt(c, p)
            for r in c + 1 ..< n {
                let f = m[r][c] / m[c][c]
                for k in c ..< n { m[r][k] -= f * m[c][k] }
                v[r] -= f * v[c]
            }
        }
        var out = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = v[r]
            for k in r + 1 ..< n { s -= m[r][k] * out[k] }
            out[r] = s / m[r][r]
        }
        return out
    }

    /// - Parameter corpus: language code (or code and variant: "zh-Hans") -> sentences, in a fixed order.
    public func train(_ corpus: [(language: String, sentences: [String])],
                      progress: (String) -> Void = { _ in }) -> LanguageModel {
        let entries = corpus.count
        // Letters per script of each entry's text.
        var letters = [[Int]](repeating: [Int](repeating: 0, count: Script.allCases.count), count: entries)
        for (k, entry) in corpus.enumerated() {
            for sentence in entry.sentences {
                var t = sentence
                let c = t.withUTF8 { LanguageFeatures.countScripts($0) }
                for s in 0 ..< c.count { letters[k][s] += c[s] }
            }
        }
        // Lanes: an entry in each group (script) holding scriptShare of its letters.
        let keys = Script.allCases.filter { $0.group == $0 && $0 != .other }
        var laneEntry: [Int] = [], laneScript: [Script] = [], masks: [UInt32] = []
        for k in 0 ..< entries {
            let sum = max(1, letters[k].reduce(0, +))
            var entryMask: UInt32 = 0
            for s in Script.allCases where Double(letters[k][s.rawValue]) >= settings.scriptShare * Double(sum) {
                entryMask |= 1 << UInt32(s.rawValue)
            }
            for key in keys {
                let inGroup = Script.allCases.filter { $0.group == key }.reduce(0) { $0 + letters[k][$1.rawValue] }
                guard Double(inGroup) >= settings.scriptShare * Double(sum) else { continue }
                laneEntry.append(k)
                laneScript.append(key)
                masks.append(entryMask & Self.featureScripts(key))
            }
        }
        var names: [String] = []
        for (j, k) in laneEntry.enumerated() {
            let several = laneEntry.filter { $0 == k }.count > 1
            names.append(corpus[k].language + (several ? "-" + laneScript[j].code : ""))
        }
        var tables: [LanguageModel.GroupTable] = []
        for key in keys {
            let lanes = laneScript.indices.filter { laneScript[$0] == key }
            guard !lanes.isEmpty else { continue }
            precondition(lanes.count <= LanguageModel.maxGroupLanes, "more than \(LanguageModel.maxGroupLanes) languages in the \(key.name) script")
            let bits = lanes.count >= settings.bigGroup ? settings.bits : settings.smallBits
            tables.append(trainGroup(key, lanes: lanes, bits: bits, corpus: corpus, laneEntry: laneEntry,
                                     languageOf: names.map { String($0.prefix { $0 != "-" }) }))
            progress("\(key.name): \(lanes.map { names[$0] }.joined(separator: " ")) (2^\(bits) buckets)")
        }
        return LanguageModel(lanes: names, scriptMasks: masks, maxOrder: settings.maxOrder,
                             wholeWords: settings.wholeWords, acrossWords: settings.acrossWords, scale: settings.scale,
                             calibration: .none(lanes: names.count), groups: tables)
    }

    /// The scripts whose letters make a group's features.
    static func featureScripts(_ key: Script) -> UInt32 {
        var m: UInt32 = 0
        for s in Script.allCases where s.group == key { m |= 1 << UInt32(s.rawValue) }
        return m
    }

    func trainGroup(_ key: Script, lanes: [Int], bits: Int, corpus: [(language: String, sentences: [String])],
                    laneEntry: [Int], languageOf: [String]) -> LanguageModel.GroupTable {
        let f = LanguageFeatures(bits: bits, maxOrder: settings.maxOrder, wholeWords: settings.wholeWords,
                                 acrossWords: settings.acrossWords)
        let scripts = Self.featureScripts(key)
        let n = lanes.count
        let rows = 1 << bits
        // Naive Bayes: log P(bucket | lane), smoothed.
        var counts = [Double](repeating: 0, count: rows * n)
        var totals = [Double](repeating: 0, count: n)
        for (j, lane) in lanes.enumerated() {
            for sentence in corpus[laneEntry[lane]].sentences {
                var copies = [(sentence, 1.0)]
                if settings.strippedWeight > 0 {
                    let stripped = sentence.folding(options: .diacriticInsensitive, locale: nil)
                    if stripped != sentence { copies.append((stripped, settings.strippedWeight)) }
                }
                for (text, weight) in copies {
                    var t = text
                    t.withUTF8 { buf in
                        var ignore = [Int](repeating: 0, count: Script.allCases.count)
                        f.forEach(buf, scripts: scripts, scriptCounts: &ignore) { b, _ in
                            counts[b * n + j] += weight
                            totals[j] += weight
                        }
                    }
                }
            }
        }
        var w = [Float](repeating: 0, count: rows * n)
        for j in 0 ..< n {
            let denominator = log(totals[j] + settings.alpha * Double(rows))
            let bias = settings.bias[languageOf[lanes[j]]] ?? 0
            for r in 0 ..< rows { w[r * n + j] = Float(log(counts[r * n + j] + settings.alpha) - denominator + bias) }
        }
        // Quantize: per bucket, cost = (best log-probability - this one) * scale,
        // clipped; the fit byte holds the best one's own cost, from the group's best
        // bucket (0) up.
        var best = [Float](repeating: -.infinity, count: rows)
        for r in 0 ..< rows {
            for j in 0 ..< n { best[r] = max(best[r], w[r * n + j]) }
        }
        let top = Double(best.max()!), bottom = Double(best.min()!)
        let fitOffset = -top
        let fitScale = min(32, 254 / max(1e-6, top - bottom))
        var costs = [UInt8](repeating: 0, count: rows * (n + 1))
        for r in 0 ..< rows {
            for j in 0 ..< n {
                let c = (Double(best[r] - w[r * n + j]) * settings.scale).rounded()
                costs[r * (n + 1) + j] = UInt8(min(255, max(0, c)))
            }
            costs[r * (n + 1) + n] = UInt8(min(255, max(0, ((top - Double(best[r])) * fitScale).rounded())))
        }
        return LanguageModel.GroupTable(script: key, featureScripts: scripts, lanes: lanes, bits: bits,
                                        fitScale: fitScale, fitOffset: fitOffset, costs: costs)
    }

    /// For sentences mostly in Han characters with hardly any kana: every sentence
    /// in simplified and in traditional characters (ICU's Hant-Hans transforms);
    /// nil for other text.
    public static func hanVariants(_ sentences: [String]) -> (simplified: [String], traditional: [String])? {
        var han = 0, kana = 0, letters = 0
        for s in sentences {
            for u in s.unicodeScalars where u.properties.isAlphabetic {
                letters += 1
                switch Script.of(u.value) {
                case .han: han += 1
                case .kana: kana += 1
                default: break
                }
            }
        }
        guard letters > 0, han * 2 >= letters, kana * 20 < letters else { return nil }
        let toSimplified = StringTransform("Hant-Hans"), toTraditional = StringTransform("Hans-Hant")
        var simplified: [String] = [], traditional: [String] = []
        for s in sentences {
            guard let a = s.applyingTransform(toSimplified, reverse: false),
                  let b = s.applyingTransform(toTraditional, reverse: false) else { return nil }
            simplified.append(a)
            traditional.append(b)
        }
        return (simplified, traditional)
    }
}
