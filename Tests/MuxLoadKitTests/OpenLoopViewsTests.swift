import Foundation
import MuxCore
import MuxTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Open loop reports two latency views (from the intended send time, and from the actual send as
/// wrk2 -U does), the load generator's own send lateness and a hiccup meter beside it.
extension LoadProcessSuites {
    @Suite struct OpenLoopViewsTests {
        private func distribution(_ run: LoadRun, _ key: String) -> [String: Double] {
            let object = run.result?[key] as? [String: Any] ?? [:]
            return object.compactMapValues { numeric($0) }
        }

        @Test func openLoopReportsBothViewsLatenessAndHiccups() throws {
            let server = try ServerProcess(["--backend", "epoll-et"])
            // Sleeping workers: the hiccup meter runs beside them (not beside spinning ones).
            let run = try runLoad(["--port", "\(server.port)", "--connections", "20", "--rate", "2000",
                                   "--warmup", "200ms", "--duration", "1s", "--pacing", "sleep"])
            #expect(try server.stop().status == 0)
            #expect(run.status == 0 && run.errors == 0, "\(run.diagnosis)")
            let intended = distribution(run, "latency_us"), sent = distribution(run, "latency_sent_us")
            let late = distribution(run, "send_lateness_us"), hiccups = distribution(run, "hiccup_us")
            // One sent-view value per reply; the intended view also holds the requests still
            // unanswered at the window's end (recorded as waiting until then), which a stall of
            // the machine leaves behind.
            let unfinished = numeric(run.result?["unfinished"]) ?? -1
            #expect(sent["count"].map { $0 + unfinished } == intended["count"], "one sent-view value per reply: \(run.diagnosis)")
            // Every request due in the window is in the intended view, answered or not: the
            // schedule's 2,000, whatever the machine's speed.
            #expect((intended["count"] ?? 0) >= 1900, "\(run.diagnosis)")
            // Every request is sent at or after its intended time, so each reply's sent-view value
            // is at most its intended one: the max always, and each percentile when both views
            // hold the same replies (the unfinished ones, cut at the window's end, can pull the
            // intended view's percentiles under the sent view's).
            for statistic in unfinished == 0 ? ["p50", "p90", "p99", "max"] : ["max"] {
                #expect((sent[statistic] ?? .infinity) <= (intended[statistic] ?? -1), "\(statistic): \(run.diagnosis)")
            }
            // Requests queued behind a reply still in flight get no lateness value when they go
            // out (on a 2-vCPU VM under steal up to half of the 2,000, 998 seen once): some have
            // one, and never more than were sent.
            let lateCount = late["count"] ?? 0
            #expect(lateCount > 0 && lateCount <= run.number("sent"), "a lateness value per request sent on time: \(run.diagnosis)")
            #expect((late["p50"] ?? -1) >= 0 && (late["p50"] ?? .infinity) <= (late["max"] ?? -1))
            // 1 ms sleeps over a 1 s window: some, and at most 1,000 of them (a busy machine only
            // makes each longer, so fewer).
            let sleeps = hiccups["count"] ?? 0
            #expect(sleeps > 0 && sleeps <= 1000, "\(sleeps) hiccup samples: \(run.diagnosis)")
            #expect(run.result?["hiccup_sched"] as? String == "other", "\(run.diagnosis)")
            #expect(run.stderr.contains("send lateness") && run.stderr.contains("hiccups"), "\(run.stderr)")
        }

        /// A spinning worker gets no hiccup meter on its CPU (its wake-ups would preempt the
        /// worker): no hiccup distribution, and stderr says why; its send lateness is still there.
        @Test func spinningWorkersAreNotMeteredForHiccups() throws {
            let server = try ServerProcess(["--backend", "epoll-et"])
            let run = try runLoad(["--port", "\(server.port)", "--connections", "20", "--rate", "2000",
                                   "--warmup", "200ms", "--duration", "1s", "--pacing", "spin"])
            #expect(try server.stop().status == 0)
            #expect(run.status == 0 && run.errors == 0, "\(run.diagnosis)")
            #expect(run.result?["pacing"] as? String == "spin", "\(run.diagnosis)")
            #expect(run.result?["hiccup_us"] == nil, "\(run.diagnosis)")
            #expect((distribution(run, "send_lateness_us")["count"] ?? 0) > 0, "\(run.diagnosis)")
            #expect(run.stderr.contains("hiccups: not metered"), "\(run.stderr)")
        }

        /// A server stalled for 300 ms: from the intended send time the stall reaches every request
        /// due during it; from the actual send only the few already in flight see it.
        @Test func aStalledServerShowsInTheIntendedViewNotTheSentView() throws {
            let server = try ServerProcess(["--backend", "epoll-et"])
            let run = try runLoad(["--port", "\(server.port)", "--connections", "10", "--rate", "2000",
                                   "--warmup", "200ms", "--duration", "1s"]) { connected in
                guard let warmupEnd = numeric(connected["warmup_end_ns"]) else { return }
                let wait = max(0, warmupEnd - Double(monotonicNanoseconds())) + 200_000_000
                usleep(useconds_t(wait / 1000))
                server.child.signal(SIGSTOP)
                usleep(300_000)
                server.child.signal(SIGCONT)
            }
            #expect(try server.stop().status == 0)
            #expect(run.status == 0 && run.errors == 0, "\(run.diagnosis)")
            let intended = distribution(run, "latency_us"), sent = distribution(run, "latency_sent_us")
            // The server was stopped for at least 300 ms (longer if the machine is slow to run us
            // again): ~600 of ~2,000 requests were due in the stall, a tenth of them waited ≥ 200 ms.
            #expect((intended["p90"] ?? 0) > 100_000, "\(run.diagnosis)")
            // Only the 10 in flight when it began (0.5%) waited in the sent view: its p90 is far
            // under the intended view's, measured in the same run.
            #expect((sent["p90"] ?? .infinity) * 2 < (intended["p90"] ?? 0), "\(run.diagnosis)")
            #expect((sent["max"] ?? 0) > 200_000, "those few did wait the stall: \(run.diagnosis)")
        }

        @Test func closedLoopHasNeitherView() throws {
            let server = try ServerProcess(["--backend", "poll"])
            let run = try runLoad(["--port", "\(server.port)", "--connections", "10", "--warmup", "100ms", "--duration", "500ms"])
            #expect(try server.stop().status == 0)
            #expect(run.status == 0, "\(run.diagnosis)")
            for key in ["latency_sent_us", "send_lateness_us", "hiccup_us"] { #expect(run.result?[key] == nil, "\(key)") }
        }
    }
}
