// libFuzzer target: a Telegram update as JSON, decoded and then normalized by the gateway's
// UpdateNormalizer (compiled into this target from Sources/Gateway/UpdateNormalizer.swift).
import Foundation
import TelegramBotAPI
import WireProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUpdate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    guard let update = try? JSONDecoder().decode(Update.self, from: bytes) else { return 0 }
    for normalizer in [UpdateNormalizer(botID: 123456, botUsername: "RaiseDashBot"), UpdateNormalizer(botID: 123456, botUsername: nil)] {
        _ = normalizer.normalize(update)
    }
    return 0
}
