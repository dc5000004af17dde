import Foundation
import Testing
import PolypipeCore

@Suite(.serialized) struct EnvironmentSecretTests {
    @Test func takesTheValueOnceAndRemovesIt() {
        setenv("POLYPIPE_TEST_SECRET", "s3cr3t-value", 1)
        #expect(EnvironmentSecret.take("POLYPIPE_TEST_SECRET") == "s3cr3t-value")
        #expect(getenv("POLYPIPE_TEST_SECRET") == nil)
        #expect(EnvironmentSecret.take("POLYPIPE_TEST_SECRET") == nil)
    }

    @Test func anEmptyValueIsAbsent() {
        setenv("POLYPIPE_TEST_EMPTY", "", 1)
        #expect(EnvironmentSecret.take("POLYPIPE_TEST_EMPTY") == nil)
        #expect(getenv("POLYPIPE_TEST_EMPTY") == nil)
    }
}
