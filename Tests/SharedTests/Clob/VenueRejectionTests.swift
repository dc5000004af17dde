import Testing
import PolypipeCore
import VenueClient

/// The venue's rejection messages, read once into the reasons exec-proc acts on (spec §4.1).
@Suite struct VenueRejectionTests {
    @Test func versionMismatchIsRecognised() {
        let rejection = VenueRejection(message: "order_version_mismatch: expected version 3")
        #expect(rejection.kind == .orderVersionMismatch)
        #expect(rejection.message == "order_version_mismatch: expected version 3")
    }

    @Test func theSpecTickMessageIsAnInvalidTickSize() {
        let message = "order 0xabc is invalid. Price (0.555) breaks minimum tick size rule: 0.01"
        #expect(VenueRejection(message: message).kind == .invalidTickSize)
        #expect(VenueRejection(message: "INVALID_ORDER_MIN_TICK_SIZE").kind == .invalidTickSize, "any letter case")
    }

    @Test func duplicatedIsRecognised() {
        #expect(VenueRejection(message: "order is invalid. Duplicated.").kind == .duplicated)
        // Matched as written, as exec-proc always has: a lower-case "duplicated" is another reason.
        #expect(VenueRejection(message: "order is invalid. duplicated.").kind == .other)
    }

    @Test func versionMismatchWinsOverTheOthers() {
        #expect(VenueRejection(message: "order_version_mismatch (tick) Duplicated").kind == .orderVersionMismatch)
        #expect(VenueRejection(message: "Duplicated tick").kind == .duplicated)
    }

    /// Anything else is a final rejection, its message kept verbatim for the journal and the bus.
    @Test func otherMessagesKeepTheirTextVerbatim() {
        let rejection = VenueRejection(message: "not enough balance / allowance")
        #expect(rejection.kind == .other)
        #expect(rejection.description == "not enough balance / allowance")
        #expect(VenueRejection(message: "").kind == .other)
    }

    @Test func aFailedOrderResultCarriesTheParsedRejection() throws {
        let json = try JSONParser.parse(Array(#"{"success": false, "errorMsg": "order is invalid. Duplicated.", "orderID": "", "status": ""}"#.utf8))
        guard case .rejected(let rejection) = SubmitOutcome(result: json) else {
            Issue.record("expected rejected")
            return
        }
        #expect(rejection.kind == .duplicated && rejection.message == "order is invalid. Duplicated.")
    }
}
