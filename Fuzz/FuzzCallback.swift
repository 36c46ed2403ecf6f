// libFuzzer target: the callback-data parser (CallbackData(parsing:)); what parses must
// encode back to the same text.
import Foundation
import IncidentCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCallback(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let parsed = CallbackData(parsing: text) {
        // Canonical spellings only: a parsed value encodes back to the input.
        precondition(parsed.encoded == text, "CallbackData(parsing:) accepted a non-canonical spelling")
    }
    return 0
}
