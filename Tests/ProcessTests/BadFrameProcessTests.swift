import Foundation
import ProcessTestSupport
import Testing
import WireProtocol
import ZeroMQ
#if canImport(Glibc)
import Glibc
#endif

@Suite("A role receiving bad frames")
struct BadFrameProcessTests {
    @Test("logs and drops each bad frame, then still processes good ones")
    func incidentsSurvivesGarbage() async throws {
        let environment = isolatedEnvironment(extra: ["LOG_LEVEL": "debug"])
        let ticksEndpoint = try #require(environment["RAISEDASH_TICKS_ENDPOINT"])
        // The test plays the scheduler: it binds the ticks endpoint and publishes.
        let context = try ZMQContext()
        let publisher = try context.socket(.pub)
        _ = try await publisher.bind(ticksEndpoint)
        let incidents = try ChildProcess(arguments: ["incidents"], environment: environment)
        try await incidents.waitFor(line: "ready")

        let now = Date()
        let good = try WireFormat.encode(Envelope(type: .slaTick, sender: .scheduler, time: now, payload: SLATick(sequence: 41, at: now)))
        let bad: [[Data]] = [
            [Data("garbage".utf8)],
            [Data("{not json".utf8), Data("{}".utf8)],
            [Data(#"{"v":9,"type":"sla_tick","id":"x","sender":"scheduler","time":"2026-01-01T00:00:00Z"}"#.utf8), good[1]],
            [Data(#"{"v":1,"type":"self_destruct","id":"x","sender":"scheduler","time":"2026-01-01T00:00:00Z"}"#.utf8), good[1]],
            [good[0], Data(repeating: 0x41, count: (1 << 20) + 10)],
            [good[0], Data(#"{"sequence":"forty"}"#.utf8)],
        ]
        // A SUB socket joins asynchronously; publish until the first good tick is seen.
        let deadline = ContinuousClock.now + .seconds(20)
        while !incidents.text.contains("tick.sequence=41"), ContinuousClock.now < deadline {
            try await publisher.send(good)
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(incidents.text.contains("tick.sequence=41"))
        for frames in bad { try await publisher.send(frames) }
        let after = try WireFormat.encode(Envelope(type: .slaTick, sender: .scheduler, time: now, payload: SLATick(sequence: 42, at: now)))
        try await publisher.send(after)
        try await incidents.waitFor(line: "tick.sequence=42")
        let log = incidents.text
        for kind in ["wrong_frame_count", "malformed", "unknown_version", "unknown_type"] {
            #expect(log.contains("frame.error=\(kind)"), "no log line for \(kind)")
        }
        // The oversized frame is refused by libzmq's max message size or by the decoder.
        #expect(log.components(separatedBy: "dropped a bad frame").count - 1 >= 5)
        incidents.signal(SIGTERM)
        #expect(await incidents.waitForExit(timeout: .seconds(5)) == 0)
        await context.terminate()
    }
}
