import Testing
import PolypipeCore

/// Order ids: one letter case, set once, whatever spelling the venue or the bus used.
@Suite struct OrderIDTests {
    @Test func spellingsOfOneIdAreEqual() {
        let upper = OrderID("0xABCDEF0123")
        let lower = OrderID("0xabcdef0123")
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(Set([upper, lower, OrderID("0XaBcDeF0123")]).count == 1, "the 0X prefix is lower-cased too")
    }

    @Test func textIsLowerCasedOnce() {
        #expect(OrderID("0xDEADbeef").description == "0xdeadbeef")
        #expect("\(OrderID("0xDEAD"))" == "0xdead")
        let literal: OrderID = "0xAB"
        #expect(literal.description == "0xab")
    }

    @Test func differentIdsDiffer() {
        #expect(OrderID("0xab") != OrderID("0xac"))
        #expect(OrderID("0xab") < OrderID("0xac"))
    }

    @Test func anEmptyIdIsEmpty() {
        #expect(OrderID("").isEmpty)
        #expect(!OrderID("0x1").isEmpty)
    }

    /// Works as a dictionary key across spellings (exec-proc's live orders, fill-proc's ledger).
    @Test func lookupIgnoresTheVenuesSpelling() {
        var live: [OrderID: Int] = [OrderID("0xAbC"): 1]
        #expect(live[OrderID("0xabc")] == 1)
        live[OrderID("0XABC")] = 2
        #expect(live.count == 1 && live[OrderID("0xabc")] == 2, "every spelling is one key")
        live[OrderID("0xabd")] = 3
        #expect(live.count == 2)
    }
}
