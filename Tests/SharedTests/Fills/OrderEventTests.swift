import Testing
import Fills
import VenueClient

/// Venue order statuses read as order events (spec §4.3, §5.2, §9).
@Suite struct OrderEventTests {
    @Test func delayedIsPlacedAndUnmatchedHasEnded() {
        for status in ["LIVE", "ORDER_STATUS_DELAYED", "delayed", "MATCHED"] {
            #expect(OrderEvent(venueStatus: VenueOrderStatus(text: status)) == .accepted, "\(status)")
        }
        // A delayed order that met nothing after the taker delay (or a killed FOK/FAK) is over:
        // reading it as still placed would leave it open for ever.
        #expect(OrderEvent(venueStatus: "UNMATCHED") == .cancelled)
        #expect(OrderEvent(venueStatus: "ORDER_STATUS_UNMATCHED") == .cancelled)
        #expect(OrderEvent(venueStatus: "CANCELED_EXPIRED_ORDER") == .expired)
        #expect(OrderEvent(venueStatus: "SOMETHING_NEW") == nil)
    }
}
