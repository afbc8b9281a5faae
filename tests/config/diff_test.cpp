#include <gtest/gtest.h>

#include <string>

#include "config/diff.h"
#include "config/loader.h"

namespace halink::config {
namespace {

// Two neighbours; each test edits one line and checks what a reload must do.
const std::string base = R"(local_as: 65001
router_id: 10.1.255.1
networks: [10.1.0.0/16]
ecmp: {max_paths: 4}
policies:
  out:
    terms: [{match: {prefixes: [10.1.0.0/16]}}]
  out-standby:
    terms: [{match: {prefixes: [10.1.0.0/16]}, set: {prepend: 1}}]
  in:
    terms: [{match: {prefixes: ["10.2.0.0/16 le 24"]}}]
neighbors:
  - name: g1
    address: 169.254.21.2
    remote_as: 65515
    hold_time: 9
    keepalive: 3
    bfd: {interval_ms: 100, multiplier: 3}
    import: in
    export: out
  - name: g2
    address: 169.254.21.6
    remote_as: 65515
    hold_time: 9
    keepalive: 3
    import: in
    export: out
)";

RouterConfig load(const std::string& text) {
  auto router = load_router_string(text, "r1");
  EXPECT_TRUE(router.ok()) << (router.ok() ? "" : router.message());
  return router.ok() ? *router : RouterConfig{};
}

// Replaces the first occurrence of `from` after `after`.
std::string edit(const std::string& from, const std::string& to, const std::string& after = "") {
  std::string text = base;
  const size_t start = after.empty() ? 0 : text.find(after);
  const size_t at = text.find(from, start);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(ConfigDiff, SameConfigChangesNothing) {
  RouterDiff diff = diff_router(load(base), load(base));
  EXPECT_TRUE(diff.empty());
  ASSERT_EQ(diff.neighbors.size(), 2u);
  for (const NeighborChange& n : diff.neighbors) EXPECT_EQ(n.kind, NeighborChangeKind::unchanged);
  EXPECT_TRUE(diff.describe().empty());
}

TEST(ConfigDiff, HoldTimeResetsOnlyThatSession) {
  RouterDiff diff = diff_router(load(base), load(edit("hold_time: 9\n    keepalive: 3\n    import", "hold_time: 30\n    keepalive: 3\n    import", "name: g2")));
  const NeighborChange* g2 = diff.find("g2");
  ASSERT_NE(g2, nullptr);
  EXPECT_EQ(g2->kind, NeighborChangeKind::changed);
  EXPECT_TRUE(g2->reset_session);
  EXPECT_EQ(g2->changed_keys, std::vector<std::string>{"hold_time"});
  EXPECT_EQ(diff.find("g1")->kind, NeighborChangeKind::unchanged);
  EXPECT_EQ(diff.describe(), std::vector<std::string>{"neighbor g2: changed (hold_time): session reset"});
}

TEST(ConfigDiff, PrependIsAnExportPolicyChangeWithoutReset) {
  RouterDiff diff = diff_router(load(base), load(edit("export: out\n", "export: out-standby\n", "name: g2")));
  const NeighborChange* g2 = diff.find("g2");
  EXPECT_FALSE(g2->reset_session);
  EXPECT_TRUE(g2->reevaluate_export);
  EXPECT_FALSE(g2->reevaluate_import);
  EXPECT_EQ(diff.find("g1")->kind, NeighborChangeKind::unchanged);
}

TEST(ConfigDiff, EditingANamedPolicyReachesEveryNeighbourUsingIt) {
  RouterDiff diff = diff_router(load(base), load(edit("10.2.0.0/16 le 24", "10.2.0.0/16 le 20")));
  for (const char* name : {"g1", "g2"}) {
    const NeighborChange* n = diff.find(name);
    EXPECT_TRUE(n->reevaluate_import) << name;
    EXPECT_FALSE(n->reset_session) << name;
    EXPECT_EQ(n->changed_keys, std::vector<std::string>{"import"});
  }
}

TEST(ConfigDiff, BfdChangeReconfiguresBfdOnly) {
  RouterDiff diff = diff_router(load(base), load(edit("interval_ms: 100", "interval_ms: 50")));
  const NeighborChange* g1 = diff.find("g1");
  EXPECT_TRUE(g1->bfd_changed);
  EXPECT_FALSE(g1->reset_session);
  EXPECT_EQ(diff.describe(), std::vector<std::string>{"neighbor g1: changed (bfd): BFD reconfigured"});
}

TEST(ConfigDiff, IdleHoldCapAppliesLive) {
  RouterDiff diff =
      diff_router(load(base), load(edit("keepalive: 3\n", "keepalive: 3\n    idle_hold_max: 10\n", "name: g2")));
  const NeighborChange* g2 = diff.find("g2");
  EXPECT_TRUE(g2->live_changed);
  EXPECT_FALSE(g2->reset_session);
  EXPECT_EQ(g2->changed_keys, (std::vector<std::string>{"idle_hold_max"}));
}

TEST(ConfigDiff, KeepaliveAndPassiveApplyLive) {
  RouterDiff diff = diff_router(load(base), load(edit("keepalive: 3\n", "keepalive: 2\n    passive: true\n", "name: g2")));
  const NeighborChange* g2 = diff.find("g2");
  EXPECT_TRUE(g2->live_changed);
  EXPECT_FALSE(g2->reset_session);
  EXPECT_EQ(g2->changed_keys, (std::vector<std::string>{"passive", "keepalive"}));
}

TEST(ConfigDiff, AddressOrRemoteAsResets) {
  RouterDiff diff = diff_router(load(base), load(edit("remote_as: 65515", "remote_as: 65516", "name: g2")));
  EXPECT_TRUE(diff.find("g2")->reset_session);
  EXPECT_EQ(diff.find("g2")->changed_keys, std::vector<std::string>{"remote_as"});
}

TEST(ConfigDiff, NeighboursAddedRemovedAndRenamed) {
  RouterDiff diff = diff_router(load(base), load(edit("name: g2", "name: gateway-2")));
  ASSERT_EQ(diff.neighbors.size(), 3u);
  EXPECT_EQ(diff.find("g1")->kind, NeighborChangeKind::unchanged);
  EXPECT_EQ(diff.find("gateway-2")->kind, NeighborChangeKind::added);
  EXPECT_EQ(diff.find("g2")->kind, NeighborChangeKind::removed);
  EXPECT_FALSE(diff.empty());
}

TEST(ConfigDiff, ShutdownIsAnAdminStateChange) {
  RouterDiff diff = diff_router(load(base), load(edit("export: out\n", "export: out\n    shutdown: true\n", "name: g1")));
  EXPECT_TRUE(diff.find("g1")->shutdown_changed);
  EXPECT_FALSE(diff.find("g1")->reset_session);
}

TEST(ConfigDiff, LocalAsChangeRestartsEverySession) {
  RouterDiff diff = diff_router(load(base), load(edit("local_as: 65001", "local_as: 65002")));
  EXPECT_TRUE(diff.identity_changed);
  for (const NeighborChange& n : diff.neighbors) EXPECT_TRUE(n.reset_session) << n.name;
}

TEST(ConfigDiff, RouterWideSettings) {
  RouterDiff diff = diff_router(load(base), load(edit("max_paths: 4", "max_paths: 2")));
  EXPECT_TRUE(diff.ecmp_changed);
  EXPECT_FALSE(diff.networks_changed);
  for (const NeighborChange& n : diff.neighbors) EXPECT_EQ(n.kind, NeighborChangeKind::unchanged);
  RouterDiff networks = diff_router(load(base), load(edit("networks: [10.1.0.0/16]", "networks: [10.1.0.0/16, 10.3.0.0/16]")));
  EXPECT_TRUE(networks.networks_changed);
  EXPECT_FALSE(networks.empty());
}

}  // namespace
}  // namespace halink::config

namespace halink::config {
namespace {

TEST(ConfigDiff, NextHopSelfReRunsExportsWithoutReset) {
  const std::string ibgp = "  - name: r2\n    address: 10.1.0.2\n    remote_as: 65001\n    import: all\n    export: all\n";
  const RouterConfig before = load(base + ibgp);
  const RouterConfig after = load(base + ibgp + "    next_hop_self: true\n");
  ASSERT_TRUE(after.find_neighbor("r2") && after.find_neighbor("r2")->next_hop_self);
  RouterDiff diff = diff_router(before, after);
  const NeighborChange* r2 = diff.find("r2");
  ASSERT_NE(r2, nullptr);
  EXPECT_FALSE(r2->reset_session);
  EXPECT_TRUE(r2->reevaluate_export);
  EXPECT_EQ(diff.describe(), std::vector<std::string>{"neighbor r2: changed (next_hop_self): export re-evaluated"});
}

}  // namespace
}  // namespace halink::config
