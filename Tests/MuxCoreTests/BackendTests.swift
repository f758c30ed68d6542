// Backend.group: the sets a list of backends may name by one word, derived from the cases and
// their I/O model, so a new backend belongs to `all` and to its model's group without a list.
import MuxCore
import Testing

@Suite struct BackendGroupTests {
    @Test func allIsEveryCaseAndEachModelGroupHoldsExactlyThatModelsBackends() throws {
        #expect(Backend.group(named: "all") == Backend.allCases)
        var covered: [Backend] = []
        for model in IOModel.allCases {
            let group = try #require(Backend.group(named: model.rawValue))
            #expect(!group.isEmpty, "\(model.rawValue)")
            #expect(group.allSatisfy { $0.traits.model == model }, "\(model.rawValue)")
            covered += group
        }
        #expect(Set(covered) == Set(Backend.allCases) && covered.count == Backend.allCases.count,
                "the model groups split every backend once")
        #expect(Backend.group(named: "readiness") == Backend.multiplexed)
    }

    @Test func groupsKeepDisplayOrderAndOtherWordsAreNoGroup() {
        for word in Backend.groupNames {
            let group = Backend.group(named: word) ?? []
            #expect(group == Backend.allCases.filter(group.contains), "\(word) in Backend's order")
        }
        #expect(Backend.groupNames == ["all", "readiness", "completion"])
        for word in Backend.names + ["everything", "ALL", ""] { #expect(Backend.group(named: word) == nil, "\(word)") }
    }
}
