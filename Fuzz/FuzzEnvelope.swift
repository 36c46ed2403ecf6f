// libFuzzer target: the bus envelope decoder (WireFormat.decodeHeader/decode) on two frames
// taken from the input. Built and run by scripts/fuzz; see docs/fuzzing.md.
import Foundation
import WireProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    // The first byte says where the header frame ends; the rest is the payload frame.
    // A third byte pattern (split at 0xFF) also exercises the wrong frame count.
    let frames: [Data]
    if let first = bytes.first {
        let body = bytes.dropFirst()
        if first == 0xFF {
            frames = body.split(separator: 0x00, omittingEmptySubsequences: false).map { Data($0) }
        } else {
            let cut = body.startIndex + min(Int(first), body.count)
            frames = [Data(body[body.startIndex..<cut]), Data(body[cut...])]
        }
    } else {
        frames = []
    }
    _ = try? WireFormat.decodeHeader(frames)
    _ = try? WireFormat.decode(frames, as: InboundEvent.self)
    _ = try? WireFormat.decode(frames, as: OutboundIntent.self)
    _ = try? WireFormat.decode(frames, as: IntentResult.self)
    _ = try? WireFormat.decode(frames, as: SenderReady.self)
    _ = try? WireFormat.decode(frames, as: Acknowledgement.self)
    _ = try? WireFormat.decode(frames, as: SLATick.self)
    return 0
}
