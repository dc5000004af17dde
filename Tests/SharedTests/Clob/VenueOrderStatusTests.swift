import Testing
import PolypipeCore
import VenueClient

/// The venue's order status, read once from any of its three spellings (spec §4.1, §4.3, §5.2).
@Suite struct VenueOrderStatusTests {
    @Test(arguments: ["live", "LIVE", "ORDER_STATUS_LIVE", "order_status_live", "Live"])
    func everySpellingOfLiveReadsAsLive(_ text: String) {
        #expect(VenueOrderStatus(text: text) == .live)
    }

    @Test func knownStatusesReadToTheirCases() {
        #expect(VenueOrderStatus(text: "matched") == .matched)
        #expect(VenueOrderStatus(text: "ORDER_STATUS_DELAYED") == .delayed)
        #expect(VenueOrderStatus(text: "unmatched") == .unmatched)
        #expect(VenueOrderStatus(text: "ORDER_STATUS_INVALID") == .invalid)
        #expect(VenueOrderStatus(text: "CANCELED") == .canceled(why: ""))
        #expect(VenueOrderStatus(text: "ORDER_STATUS_CANCELED_MARKET_RESOLVED") == .canceled(why: "MARKET_RESOLVED"))
        #expect(VenueOrderStatus(text: "CANCELED_EXPIRED_ORDER") == .canceledExpiredOrder)
    }

    /// Spec §4.3 observed a killed FOK as `CANCELED_<free text>`: still a cancel.
    @Test func aCancelWithFreeTextIsStillACancel() {
        let status = VenueOrderStatus(text: "CANCELED_order couldn't be fully filled. FOK orders are fully filled or killed.")
        #expect(status.isCanceled)
        #expect(status != .canceledExpiredOrder)
    }

    /// Unknown is not rejected: kept verbatim, and neither placed nor cancelled.
    @Test func anUnknownStatusIsKeptVerbatim() {
        let status = VenueOrderStatus(text: "Something_New")
        #expect(status == .other("Something_New"))
        #expect(status.description == "Something_New")
        #expect(!status.isPlacement && !status.isCanceled)
        #expect(VenueOrderStatus(text: "") == .other(""))
    }

    @Test func placementStatusesAreTheFourOfSpec41() {
        let placed = ["live", "matched", "delayed", "unmatched"].map(VenueOrderStatus.init(text:))
        #expect(placed.allSatisfy { $0.isPlacement })
        #expect(!VenueOrderStatus(text: "canceled").isPlacement && !VenueOrderStatus(text: "invalid").isPlacement)
    }

    @Test func descriptionReadsBackToTheSameStatus() {
        for text in ["live", "ORDER_STATUS_MATCHED", "DELAYED", "unmatched", "INVALID", "CANCELED", "CANCELED_MARKET_RESOLVED", "weird"] {
            let status = VenueOrderStatus(text: text)
            #expect(VenueOrderStatus(text: status.description) == status, "\(text)")
        }
    }

    /// The models keep the venue's own spelling next to the parsed status (journal and bus).
    @Test func modelsKeepTheRawText() throws {
        let json = try JSONParser.parse(Array(#"{"success": true, "errorMsg": "", "orderID": "0xab", "status": "DELAYED"}"#.utf8))
        guard case .accepted(let acceptance) = SubmitOutcome(result: json) else {
            Issue.record("expected accepted")
            return
        }
        #expect(acceptance.status == .delayed && acceptance.statusText == "delayed")
    }
}
