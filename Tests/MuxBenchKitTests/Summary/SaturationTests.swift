import Testing
@testable import MuxBenchKit

/// Which side limited a run: an open loop that delivered < 99% of its offer, a load generator at
/// ≥ 90% of the CPUs its threads can use, or both processes pegged.
@Suite struct SaturationTests {
    private func limit(offered: Double? = nil, achieved: Double = 10_000, server: Double, load: Double,
                       capacity: Double = 1) -> SaturationLimit? {
        Saturation.limit(SaturationInput(offeredRPS: offered, achievedRPS: achieved, serverCPUUtil: server,
                                         loadCPUUtil: load, loadCPUCapacity: capacity))
    }

    @Test func an_open_loop_that_delivers_its_offer_with_cpu_to_spare_is_not_saturated() {
        #expect(limit(offered: 10_000, achieved: 9_950, server: 0.3, load: 0.4) == nil)
        #expect(limit(offered: 10_000, achieved: 9_900, server: 0.89, load: 0.89) == nil, "99% exactly is enough")
    }

    @Test func falling_short_names_the_pegged_side() {
        #expect(limit(offered: 10_000, achieved: 9_800, server: 0.95, load: 0.5) == .server)
        #expect(limit(offered: 10_000, achieved: 9_800, server: 0.5, load: 0.92) == .client)
        #expect(limit(offered: 10_000, achieved: 9_800, server: 0.95, load: 0.95) == .both)
        #expect(limit(offered: 10_000, achieved: 9_800, server: 0.5, load: 0.5) == .neither)
    }

    @Test func a_pegged_load_generator_saturates_even_when_it_delivered() {
        #expect(limit(offered: 10_000, achieved: 10_000, server: 0.2, load: 0.9) == .client)
        #expect(limit(server: 0.4, load: 0.97) == .client, "closed loop too")
    }

    @Test func closed_loop_with_only_the_server_pegged_is_the_servers_capacity() {
        #expect(limit(server: 0.99, load: 0.6) == nil)
        #expect(limit(server: 0.99, load: 0.95) == .both)
    }

    @Test func load_generator_cpu_counts_all_its_threads_against_their_cpus() {
        // Two threads on two CPUs: 1.5 CPUs is 75% of what it can use.
        #expect(limit(server: 0.3, load: 1.5, capacity: 2) == nil)
        #expect(limit(server: 0.3, load: 1.85, capacity: 2) == .client)
    }

    @Test func the_column_is_empty_unless_saturated() {
        #expect(Saturation.column(nil) == "")
        #expect(Saturation.column(.both) == "both")
        #expect(Saturation.isSaturated(["saturated_by": "client"]))
        #expect(!Saturation.isSaturated(["saturated_by": ""]))
        #expect(!Saturation.isSaturated([:]))
    }

    /// A spinning client is always at 100% CPU: its busy share and send lateness judge it instead.
    private func spinning(offered: Double, achieved: Double, server: Double, busy: Double, lateP50: Double?,
                          gap: Double) -> SaturationLimit? {
        var input = SaturationInput(offeredRPS: offered, achievedRPS: achieved, serverCPUUtil: server,
                                    loadCPUUtil: 1.0, loadCPUCapacity: 1)
        input.spinning = .init(busyShare: busy, sendLatenessP50Us: lateP50, meanGapUs: gap)
        return Saturation.limit(input)
    }

    @Test func a_spinning_client_that_kept_up_is_not_saturated_at_full_cpu() {
        #expect(spinning(offered: 40_000, achieved: 40_000, server: 0.4, busy: 0.3, lateP50: 0.3, gap: 25) == nil)
        #expect(spinning(offered: 200_000, achieved: 90_000, server: 0.97, busy: 0.5, lateP50: 0.2, gap: 5) == .server,
                "the server's limit, with the client at 100% CPU but half idle")
    }

    @Test func a_spinning_client_busy_or_behind_its_schedule_is_the_limit() {
        #expect(spinning(offered: 400_000, achieved: 70_000, server: 0.5, busy: 0.95, lateP50: 1.0, gap: 2.5) == .client)
        #expect(spinning(offered: 400_000, achieved: 70_000, server: 0.5, busy: 0.4, lateP50: 9_000, gap: 2.5) == .client,
                "descheduled, not busy, but a whole gap late at the median")
        #expect(spinning(offered: 400_000, achieved: 70_000, server: 0.95, busy: 0.95, lateP50: 1, gap: 2.5) == .both)
    }
}
