import Foundation

/// The entity taggers, one per language: `ner-<lang>.bin` (the tagger's
/// weights) with `gazetteer-<lang>.txt` (the name lists it was trained with,
/// read as features), found through `Resources` (shipped files, or
/// `$PAGEPIPE_DATA`). Adding a language is adding those
/// two files (`pagepipe-dev train-ner --language LANG`); no code names a
/// language. A language without a model file has no tagger. Each model is
/// read on first use and kept for the life of the process.
package final class EntityModels: Sendable {
    /// The models on the resource search path (`Resources.searchPath`).
    package static let shipped = EntityModels(places: Resources.searchPath())

    /// The folders searched, in order (`Resources.file`).
    let places: [String]
    private let cache = LoadOnce<String, Result<EntityTagger, ResourceError>?>()

    init(places: [String]) { self.places = places }

    /// Models in one folder (for tests and for trying a model before shipping it).
    package convenience init(directory: String) { self.init(places: [directory]) }

    /// A language's tagger, nil when it has no model, or why its files cannot be read.
    package func tagger(for language: String) -> Result<EntityTagger, ResourceError>? {
        guard let lang = LanguageCode.canonical(language) else { return nil }
        return cache.value(lang) { load(lang) }
    }

    private func load(_ lang: String) -> Result<EntityTagger, ResourceError>? {
        let model: (path: String, bytes: [UInt8])
        do { model = try Resources.load("ner", language: lang, ext: "bin", places: places) } catch {
            if case .notFound = error { return nil }
            return .failure(error)
        }
        // A model learned its weights with its gazetteer's bits: without the
        // same lists it tags differently, so a missing list is an error, not an empty one.
        do throws(ResourceError) {
            let (gazetteerPath, gazetteerBytes) = try Resources.load("gazetteer", language: lang, ext: "txt", places: places)
            guard let text = String(validating: gazetteerBytes, as: UTF8.self) else {
                return .failure(.damaged(path: gazetteerPath, reason: "not UTF-8 text", remedy: "rebuild: scripts/build-gazetteers.py"))
            }
            do {
                return .success(try EntityTagger(modelBytes: model.bytes, gazetteer: Gazetteer(text: text)))
            } catch {
                return .failure(.damaged(path: model.path, reason: "\(error)", remedy: "retrain: pagepipe-dev train-ner --language \(lang)"))
            }
        } catch {
            return .failure(error)
        }
    }
}

/// Values computed once per key, on first request, from any thread.
final class LoadOnce<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Key: Value] = [:]

    func value(_ key: Key, _ make: () -> Value) -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let v = values[key] { return v }
        let v = make()
        values[key] = v
        return v
    }
}

/// Language codes as pages carry them ("en", "EN", "en-US", "en_GB", "eng")
/// reduced to the ISO 639-1 code resource files are named by.
enum LanguageCode {
    /// The lower-cased primary subtag, a three-letter ISO 639-2/3 code replaced
    /// by its two-letter code; nil for anything that is not a language code
    /// ("und" stays "und", which has no model).
    static func canonical(_ code: String) -> String? {
        let primary = code.lowercased().prefix { $0 != "-" && $0 != "_" }
        guard (2...3).contains(primary.count), primary.allSatisfy({ $0 >= "a" && $0 <= "z" }) else { return nil }
        let p = String(primary)
        return p.count == 3 ? twoLetter[p] ?? p : p
    }

    /// ISO 639-2 (B and T) and 639-3 codes of the languages pagepipe identifies.
    static let twoLetter: [String: String] = {
        let pairs = """
        af afr, ar ara, az aze, be bel, bg bul, bn ben, bs bos, ca cat, cs ces cze, cy cym wel, da dan,
        de deu ger, el ell gre, en eng, eo epo, es spa, et est, eu eus baq, fa fas per, fi fin, fr fra fre,
        ga gle, gu guj, he heb, hi hin, hr hrv, hu hun, hy hye arm, id ind, is isl ice, it ita, ja jpn,
        ka kat geo, kk kaz, ko kor, la lat, lg lug, lt lit, lv lav, mi mri mao, mk mkd mac, mn mon, mr mar,
        ms msa may, nb nob, nl nld dut, nn nno, no nor, pa pan, pl pol, pt por, ro ron rum, ru rus,
        sk slk slo, sl slv, sn sna, so som, sq sqi alb, sr srp, st sot, sv swe, sw swa, ta tam, te tel,
        th tha, tl tgl, tn tsn, tr tur, ts tso, uk ukr, ur urd, vi vie, xh xho, yo yor, zh zho chi, zu zul
        """
        var map: [String: String] = [:]
        for entry in pairs.split(separator: ",") {
            let codes = entry.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
            for long in codes.dropFirst() { map[long] = codes[0] }
        }
        return map
    }()
}
