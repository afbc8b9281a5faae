// The article's designs run through real Speakers in virtual time.
#include "bgp/speaker/speaker.h"

#include <gtest/gtest.h>

#include "speaker_network.h"

using namespace halink;
using namespace halink::bgp;
using halink::testing::SpeakerNetwork;

namespace {

Prefix prefix(const char* text) { return *Prefix::parse(text); }

Policy accept_all() {
  Policy p;
  p.name = "accept-all";
  p.default_verdict = PolicyVerdict::accept;
  return p;
}

Policy prepend_all(uint8_t times) {
  Policy p = accept_all();
  PolicyTerm t;
  t.name = "prepend";
  t.actions.prepend_own_as = times;
  t.actions.verdict = PolicyVerdict::accept;
  p.terms.push_back(t);
  return p;
}

// Accepts everything but `rejected` (a prefix list term).
Policy rejecting(const Prefix& rejected) {
  Policy p = accept_all();
  PolicyTerm t;
  t.name = "not-" + rejected.to_string();
  t.match.prefixes.push_back(PrefixListEntry{rejected, std::nullopt, std::nullopt});
  t.actions.verdict = PolicyVerdict::reject;
  p.terms.push_back(t);
  return p;
}

SpeakerConfig router(uint32_t as, const char* id, std::vector<Prefix> networks) {
  SpeakerConfig c;
  c.local_as = as;
  c.router_id = IpAddress::parse(id)->v4_host_order();
  c.networks = std::move(networks);
  c.decision.multipath_relax = false;
  return c;
}

NeighborSettings neighbor(const std::string& name, uint32_t remote_as, const std::string& interface,
                          std::optional<Policy> export_policy = accept_all()) {
  NeighborSettings s;
  s.name = name;
  s.interface = interface;
  s.session.remote_as = remote_as;
  s.session.hold_time = Duration::seconds(9);
  s.session.keepalive = Duration::seconds(3);
  s.session.connect_retry = Duration::seconds(1);
  s.session.families = {AfiSafi::unicast(Family::ipv4), AfiSafi::unicast(Family::ipv6)};
  s.policy.import_policy = accept_all();
  s.policy.export_policy = std::move(export_policy);
  return s;
}

std::vector<std::string> gateways(const std::vector<fib::NextHop>* hops) {
  std::vector<std::string> out;
  if (hops)
    for (auto& h : *hops) out.push_back(h.gateway.to_string() + "%" + h.interface);
  return out;
}

}  // namespace

TEST(Speaker, TwoSpeakersEstablishAndExchangeNetworks) {
  SpeakerNetwork net;
  size_t a = net.add_node("a", router(65001, "10.0.0.1", {prefix("10.1.0.0/16")}));
  size_t b = net.add_node("b", router(65002, "10.0.0.2", {prefix("10.2.0.0/16")}));
  size_t l = net.connect(a, b, "169.254.21.", neighbor("b", 65002, "wg0"), neighbor("a", 65001, "wg0"));
  net.start();
  net.run_for(Duration::seconds(5));
  ASSERT_TRUE(net.established(l));
  EXPECT_EQ(gateways(net.fib_entry(a, prefix("10.2.0.0/16"))), std::vector<std::string>{"169.254.21.2%wg0"});
  EXPECT_EQ(gateways(net.fib_entry(b, prefix("10.1.0.0/16"))), std::vector<std::string>{"169.254.21.1%wg0"});
  auto route = net.node(a).speaker->route(prefix("10.2.0.0/16"));
  ASSERT_TRUE(route);
  EXPECT_EQ(route->paths[0].attributes.as_path->to_string(), "65002");
  // Our own network is in the Loc-RIB but needs no forwarding entry.
  EXPECT_EQ(net.fib_entry(a, prefix("10.1.0.0/16")), nullptr);
}

TEST(Speaker, Rfc8212WithoutPoliciesNothingIsExchangedAndTheLogSaysWhy) {
  SpeakerNetwork net;
  size_t a = net.add_node("a", router(65001, "10.0.0.1", {prefix("10.1.0.0/16")}));
  size_t b = net.add_node("b", router(65002, "10.0.0.2", {prefix("10.2.0.0/16")}));
  NeighborSettings at_a = neighbor("b", 65002, "wg0", std::nullopt);
  at_a.policy.import_policy.reset();
  size_t l = net.connect(a, b, "169.254.21.", at_a, neighbor("a", 65001, "wg0"));
  net.start();
  net.run_for(Duration::seconds(5));
  ASSERT_TRUE(net.established(l));
  EXPECT_EQ(net.fib_entry(a, prefix("10.2.0.0/16")), nullptr);
  EXPECT_EQ(net.fib_entry(b, prefix("10.1.0.0/16")), nullptr);
  int rfc8212_lines = 0;
  for (auto& line : net.node(a).log) rfc8212_lines += line.find("RFC 8212") != std::string::npos;
  EXPECT_EQ(rfc8212_lines, 2);  // once for import, once for export
}

// The article's active/active design: two on-prem routers, two cloud
// gateways, four tunnels, four eBGP sessions.
class ActiveActive : public ::testing::Test {
protected:
  void SetUp() override {
    r1 = net.add_node("r1", router(65001, "10.1.255.1", {prefix("10.1.0.0/16")}));
    r2 = net.add_node("r2", router(65001, "10.1.255.2", {prefix("10.1.0.0/16")}));
    g1 = net.add_node("g1", router(65515, "10.2.255.1", {prefix("10.2.0.0/16")}));
    g2 = net.add_node("g2", router(65515, "10.2.255.2", {prefix("10.2.0.0/16")}));
    t[0] = net.connect(r1, g1, "169.254.21.", neighbor("g1", 65515, "t11"), neighbor("r1", 65001, "t11"));
    t[1] = net.connect(r1, g2, "169.254.22.", neighbor("g2", 65515, "t12"), neighbor("r1", 65001, "t12"));
    t[2] = net.connect(r2, g1, "169.254.23.", neighbor("g1", 65515, "t21"), neighbor("r2", 65001, "t21"));
    t[3] = net.connect(r2, g2, "169.254.24.", neighbor("g2", 65515, "t22"), neighbor("r2", 65001, "t22"));
    connect_more();
    net.start();
    net.run_for(Duration::seconds(5));
  }
  // Sessions a variant of the design adds before the network starts.
  virtual void connect_more() {}
  SpeakerNetwork net;
  size_t r1, r2, g1, g2;
  size_t t[4];
};

TEST_F(ActiveActive, EveryRouterUsesBothTunnelsEqually) {
  for (size_t link : t) ASSERT_TRUE(net.established(link));
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))),
            (std::vector<std::string>{"169.254.21.2%t11", "169.254.22.2%t12"}));
  EXPECT_EQ(gateways(net.fib_entry(r2, prefix("10.2.0.0/16"))),
            (std::vector<std::string>{"169.254.23.2%t21", "169.254.24.2%t22"}));
  EXPECT_EQ(gateways(net.fib_entry(g1, prefix("10.1.0.0/16"))),
            (std::vector<std::string>{"169.254.21.1%t11", "169.254.23.1%t21"}));
}

TEST_F(ActiveActive, SilentTunnelFailureIsFoundByTheHoldTimerWithinHoldTime) {
  net.set_link_up(t[0], false);
  Time blackholed = net.now();
  // Keepalives every 3 s (jittered down to 2.25 s): the last one crossed at
  // most 3 s before the failure, so the hold timer (9 s) fires within 9 s.
  net.run_for(Duration::milliseconds(8990) - Duration::seconds(3));
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))).size(), 2u);
  net.run_until(blackholed + Duration::seconds(9) + Duration::milliseconds(2));
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))), std::vector<std::string>{"169.254.22.2%t12"});
  EXPECT_EQ(gateways(net.fib_entry(g1, prefix("10.1.0.0/16"))), std::vector<std::string>{"169.254.23.1%t21"});
  bool saw_hold = false;
  for (auto& line : net.node(r1).log) saw_hold |= line.find("hold timer expired") != std::string::npos;
  EXPECT_TRUE(saw_hold);
  // The tunnel returns and the session with it.
  net.set_link_up(t[0], true);
  net.run_for(Duration::seconds(10));
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))).size(), 2u);
}

TEST_F(ActiveActive, BfdDownWithdrawsAtOnceAndHoldsTheSessionDown) {
  PeerId g2_at_r1 = net.link(t[1]).peer_at_a;
  net.act(r1, [&](Speaker& s, Time now) { s.bfd_down(now, g2_at_r1, "Control Detection Time Expired"); });
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))), std::vector<std::string>{"169.254.21.2%t11"});
  net.run_for(Duration::seconds(30));
  EXPECT_FALSE(net.established(t[1]));
  net.act(r1, [&](Speaker& s, Time now) { s.bfd_up(now, g2_at_r1); });
  net.run_for(Duration::seconds(5));
  EXPECT_TRUE(net.established(t[1]));
}

// Active/passive: the same routers with a second tunnel per pair over a
// slower ISP; the cloud side prepends on the ISP2 sessions.
TEST(ActivePassive, PrependedIsp2IsWarmButIdleAndTakesOverWhenIsp1Dies) {
  SpeakerNetwork net;
  size_t r1 = net.add_node("r1", router(65001, "10.1.255.1", {prefix("10.1.0.0/16")}));
  size_t r2 = net.add_node("r2", router(65001, "10.1.255.2", {prefix("10.1.0.0/16")}));
  size_t g1 = net.add_node("g1", router(65515, "10.2.255.1", {prefix("10.2.0.0/16")}));
  size_t g2 = net.add_node("g2", router(65515, "10.2.255.2", {prefix("10.2.0.0/16")}));
  std::vector<size_t> isp1, isp2;
  int subnet = 21;
  for (size_t r : {r1, r2}) {
    for (size_t g : {g1, g2}) {
      std::string n = std::to_string(subnet);
      isp1.push_back(net.connect(r, g, "169.254." + n + ".", neighbor("g", 65515, "isp1-" + n),
                                 neighbor("r", 65001, "isp1-" + n)));
      isp2.push_back(net.connect(r, g, "169.254.1" + n + ".", neighbor("g", 65515, "isp2-" + n),
                                 neighbor("r", 65001, "isp2-" + n, prepend_all(2))));
      ++subnet;
    }
  }
  net.start();
  net.run_for(Duration::seconds(5));
  for (size_t l : isp1) ASSERT_TRUE(net.established(l));
  for (size_t l : isp2) ASSERT_TRUE(net.established(l));
  auto hops = gateways(net.fib_entry(r1, prefix("10.2.0.0/16")));
  EXPECT_EQ(hops, (std::vector<std::string>{"169.254.21.2%isp1-21", "169.254.22.2%isp1-22"}));

  // ISP1 dies: all four ISP1 sessions go down together (BFD in this test).
  for (size_t l : isp1) {
    PeerId peer = net.link(l).peer_at_a;
    net.act(net.link(l).a, [&](Speaker& s, Time now) { s.bfd_down(now, peer, "ISP1 lost"); });
  }
  hops = gateways(net.fib_entry(r1, prefix("10.2.0.0/16")));
  EXPECT_EQ(hops, (std::vector<std::string>{"169.254.121.2%isp2-21", "169.254.122.2%isp2-22"}));
  auto route = net.node(r1).speaker->route(prefix("10.2.0.0/16"));
  ASSERT_TRUE(route);
  EXPECT_EQ(route->paths[0].attributes.as_path->to_string(), "65515 65515 65515");
}

// The active/active design with the site pair's iBGP session on each side
// (next-hop-self): the sibling's route is only a backup while a router has
// a tunnel, and carries its traffic once it has none.
class ActiveActiveWithSitePairs : public ActiveActive {
protected:
  void connect_more() override {
    onprem_pair = net.connect(r1, r2, "10.1.0.", sibling("r2", 65001), sibling("r1", 65001));
    cloud_pair = net.connect(g1, g2, "10.2.0.", sibling("g2", 65515), sibling("g1", 65515));
  }
  NeighborSettings sibling(const std::string& name, uint32_t as) {
    NeighborSettings s = neighbor(name, as, "lan0");
    s.next_hop_self = next_hop_self;
    return s;
  }
  void tunnel_down(size_t link) {
    PeerId at_a = net.link(link).peer_at_a, at_b = net.link(link).peer_at_b;
    net.act(net.link(link).a, [&](Speaker& s, Time now) { s.bfd_down(now, at_a, "tunnel lost"); });
    net.act(net.link(link).b, [&](Speaker& s, Time now) { s.bfd_down(now, at_b, "tunnel lost"); });
  }
  bool next_hop_self = true;
  size_t onprem_pair = 0, cloud_pair = 0;
};

TEST_F(ActiveActiveWithSitePairs, EbgpIsPreferredAndTheSiblingsRouteWaitsAsBackup) {
  ASSERT_TRUE(net.established(onprem_pair));
  ASSERT_TRUE(net.established(cloud_pair));
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))),
            (std::vector<std::string>{"169.254.21.2%t11", "169.254.22.2%t12"}));
  auto route = net.node(r1).speaker->route(prefix("10.2.0.0/16"));
  ASSERT_TRUE(route);
  ASSERT_EQ(route->paths.size(), 3u);
  const RouteView::PathView* from_sibling = nullptr;
  for (const auto& p : route->paths)
    if (p.from == "r2") from_sibling = &p;
  ASSERT_NE(from_sibling, nullptr);
  EXPECT_FALSE(from_sibling->best);
  EXPECT_FALSE(from_sibling->multipath);
  // Sent by r2 with itself as next hop, LOCAL_PREF present, AS_PATH as r2 learned it.
  EXPECT_EQ(from_sibling->attributes.next_hop, IpAddress::parse("10.1.0.2").value());
  EXPECT_EQ(from_sibling->attributes.local_pref, 100u);
  EXPECT_EQ(from_sibling->attributes.as_path->to_string(), "65515");
}

TEST_F(ActiveActiveWithSitePairs, ThreeQuartersOfTheTunnelsDownEveryRouterStillForwards) {
  tunnel_down(t[0]);  // r1-g1
  tunnel_down(t[1]);  // r1-g2
  tunnel_down(t[2]);  // r2-g1
  net.run_for(Duration::milliseconds(100));
  // r1 and g1 have no tunnel: they forward to their sibling over the LAN.
  EXPECT_EQ(gateways(net.fib_entry(r1, prefix("10.2.0.0/16"))), std::vector<std::string>{"10.1.0.2%lan0"});
  EXPECT_EQ(gateways(net.fib_entry(g1, prefix("10.1.0.0/16"))), std::vector<std::string>{"10.2.0.2%lan0"});
  EXPECT_EQ(gateways(net.fib_entry(r2, prefix("10.2.0.0/16"))), std::vector<std::string>{"169.254.24.2%t22"});
  EXPECT_EQ(gateways(net.fib_entry(g2, prefix("10.1.0.0/16"))), std::vector<std::string>{"169.254.24.1%t22"});
  // r1's best is now iBGP-learned: it is not sent back over iBGP (RFC 4271 §9.2).
  EXPECT_EQ(net.node(r2).speaker->route(prefix("10.2.0.0/16"))->paths.size(), 1u);
}

class ActiveActiveWithSitePairsWithoutNextHopSelf : public ActiveActiveWithSitePairs {
protected:
  void SetUp() override {
    next_hop_self = false;
    ActiveActiveWithSitePairs::SetUp();
  }
};

TEST_F(ActiveActiveWithSitePairsWithoutNextHopSelf, TheSiblingsRouteKeepsTheTunnelNextHop) {
  auto route = net.node(r1).speaker->route(prefix("10.2.0.0/16"));
  ASSERT_TRUE(route);
  bool seen = false;
  for (const auto& p : route->paths) {
    if (p.from != "r2") continue;
    seen = true;
    // The far end of one of r2's tunnels: unreachable from r1.
    EXPECT_EQ(p.attributes.next_hop->to_string().rfind("169.254.2", 0), 0u) << p.attributes.next_hop->to_string();
  }
  EXPECT_TRUE(seen);
  // Switched on by a configuration change: the export is re-run, the session stays up.
  PeerId r1_at_r2 = net.link(onprem_pair).peer_at_b;
  net.act(r2, [&](Speaker& s, Time now) { s.set_next_hop_self(now, r1_at_r2, true); });
  net.run_for(Duration::milliseconds(50));
  EXPECT_TRUE(net.established(onprem_pair));
  route = net.node(r1).speaker->route(prefix("10.2.0.0/16"));
  for (const auto& p : route->paths) {
    if (p.from != "r2") continue;
    EXPECT_EQ(p.attributes.next_hop, IpAddress::parse("10.1.0.2").value());
  }
}

// halinkd --no-fib: a speaker without a forwarding table still selects and
// exports routes, but hands nothing to a FIB (no per-prefix next-hop lists,
// no NextHopDown when a session dies).
TEST(Speaker, WithoutForwardingRoutesAreSelectedAndExportedButNothingIsInstalled) {
  SpeakerNetwork net;
  SpeakerConfig quiet = router(65001, "10.0.0.1", {});
  quiet.forwarding = false;
  size_t a = net.add_node("a", quiet);
  size_t b = net.add_node("b", router(65002, "10.0.0.2", {prefix("10.2.0.0/16")}));
  size_t c = net.add_node("c", router(65003, "10.0.0.3", {prefix("10.3.0.0/16")}));
  size_t ab = net.connect(a, b, "169.254.21.", neighbor("b", 65002, "wg0"), neighbor("a", 65001, "wg0"));
  size_t ac = net.connect(a, c, "169.254.22.", neighbor("c", 65003, "wg1"), neighbor("a", 65001, "wg1"));
  net.start();
  net.run_for(Duration::seconds(5));
  ASSERT_TRUE(net.established(ab));
  ASSERT_TRUE(net.established(ac));
  EXPECT_TRUE(net.node(a).speaker->route(prefix("10.2.0.0/16")));
  EXPECT_TRUE(net.node(a).fib.empty());
  // Exported as usual: c forwards to b's network through a.
  EXPECT_EQ(gateways(net.fib_entry(c, prefix("10.2.0.0/16"))), std::vector<std::string>{"169.254.22.1%wg1"});

  PeerId b_at_a = net.link(ab).peer_at_a;
  net.act(a, [&](Speaker& s, Time now) { s.bfd_down(now, b_at_a, "Control Detection Time Expired"); });
  net.run_for(Duration::seconds(5));
  EXPECT_FALSE(net.node(a).speaker->route(prefix("10.2.0.0/16")));
  EXPECT_EQ(net.fib_entry(c, prefix("10.2.0.0/16")), nullptr);
  EXPECT_EQ(net.node(a).next_hop_down_actions, 0u);
  EXPECT_GE(net.node(b).next_hop_down_actions, 1u);  // b forwards, so b's FIB is told (10.3.0.0/16 via a)
  EXPECT_TRUE(net.node(a).fib.empty());
}

// Prefixes sharing an attribute set are exported once per set (the export
// memo); an export policy that matches on the prefix must still decide per
// prefix, and one that does not must give every prefix of the set the same
// modified attributes.
TEST(Speaker, PrefixesSharingAttributesAreExportedPerPrefixWhenThePolicyMatchesOnThePrefix) {
  const Policy reject_one = rejecting(prefix("10.3.0.0/16"));
  for (bool filter : {true, false}) {
    SCOPED_TRACE(filter ? "prefix list" : "prepend");
    SpeakerNetwork net;
    // Both networks of a are originated with one attribute set and reach b in one UPDATE.
    size_t a = net.add_node("a", router(65001, "10.0.0.1", {prefix("10.1.0.0/16"), prefix("10.3.0.0/16")}));
    size_t b = net.add_node("b", router(65002, "10.0.0.2", {}));
    size_t c = net.add_node("c", router(65003, "10.0.0.3", {}));
    size_t ab = net.connect(a, b, "169.254.21.", neighbor("b", 65002, "wg0"), neighbor("a", 65001, "wg0"));
    size_t bc = net.connect(b, c, "169.254.22.", neighbor("c", 65003, "wg1", filter ? reject_one : prepend_all(1)),
                            neighbor("b", 65002, "wg1"));
    net.start();
    net.run_for(Duration::seconds(5));
    ASSERT_TRUE(net.established(ab));
    ASSERT_TRUE(net.established(bc));
    auto first = net.node(c).speaker->route(prefix("10.1.0.0/16"));
    auto second = net.node(c).speaker->route(prefix("10.3.0.0/16"));
    ASSERT_TRUE(first);
    if (filter) {
      EXPECT_EQ(first->paths[0].attributes.as_path->to_string(), "65002 65001");
      EXPECT_FALSE(second);
    } else {
      ASSERT_TRUE(second);
      EXPECT_EQ(first->paths[0].attributes.as_path->to_string(), "65002 65002 65001");
      EXPECT_EQ(second->paths[0].attributes.as_path->to_string(), "65002 65002 65001");
    }
  }
}

// The import side of the same: an UPDATE's NLRI share one attribute set, so
// the import policy runs once for all of them unless a term matches on the
// prefix; then each prefix gets its own verdict.
TEST(Speaker, OneUpdatesPrefixesAreImportedPerPrefixWhenThePolicyMatchesOnThePrefix) {
  const Policy reject_one = rejecting(prefix("10.3.0.0/16"));
  Policy prefer = accept_all();
  PolicyTerm local_pref;
  local_pref.name = "prefer";
  local_pref.actions.set_local_pref = 250;
  local_pref.actions.verdict = PolicyVerdict::accept;
  prefer.terms.push_back(local_pref);
  for (bool filter : {true, false}) {
    SCOPED_TRACE(filter ? "prefix list" : "local preference");
    SpeakerNetwork net;
    size_t a = net.add_node("a", router(65001, "10.0.0.1", {prefix("10.1.0.0/16"), prefix("10.3.0.0/16")}));
    size_t b = net.add_node("b", router(65002, "10.0.0.2", {}));
    NeighborSettings from_a = neighbor("a", 65001, "wg0");
    from_a.policy.import_policy = filter ? reject_one : prefer;
    size_t ab = net.connect(a, b, "169.254.21.", neighbor("b", 65002, "wg0"), from_a);
    net.start();
    net.run_for(Duration::seconds(5));
    ASSERT_TRUE(net.established(ab));
    auto first = net.node(b).speaker->route(prefix("10.1.0.0/16"));
    auto second = net.node(b).speaker->route(prefix("10.3.0.0/16"));
    ASSERT_TRUE(first);
    if (filter) {
      EXPECT_FALSE(second);
    } else {
      ASSERT_TRUE(second);
      EXPECT_EQ(first->paths[0].attributes.local_pref, 250u);
      EXPECT_EQ(second->paths[0].attributes.local_pref, 250u);
    }
  }
}

// The Adj-RIB-Out records the path each advertisement came from, not the
// attributes sent: prefixes from one path still leave in one UPDATE when
// export policy treats them alike, a changed export policy sends the table
// again and withdraws what it no longer allows, and `show advertised`
// reports the attributes as exported. Both ends have Enhanced Route Refresh,
// so the table goes between BoRR and EoRR (RFC 7313 §4).
TEST(Speaker, ExportPolicyChangesOnALiveSessionResendTheTableAndWithdrawWhatItRejects) {
  SpeakerNetwork net;
  size_t a = net.add_node(
      "a", router(65001, "10.0.0.1", {prefix("10.1.0.0/16"), prefix("10.3.0.0/16"), prefix("10.4.0.0/16")}));
  size_t b = net.add_node("b", router(65002, "10.0.0.2", {}));
  size_t c = net.add_node("c", router(65003, "10.0.0.3", {}));
  Policy med_for_one = accept_all();
  PolicyTerm med;
  med.name = "med";
  med.match.prefixes.push_back(PrefixListEntry{prefix("10.3.0.0/16"), std::nullopt, std::nullopt});
  med.actions.set_med = 5;
  med.actions.verdict = PolicyVerdict::accept;
  med_for_one.terms.push_back(med);
  size_t ab = net.connect(a, b, "169.254.21.", neighbor("b", 65002, "wg0"), neighbor("a", 65001, "wg0"));
  size_t bc = net.connect(b, c, "169.254.22.", neighbor("c", 65003, "wg1", med_for_one), neighbor("b", 65002, "wg1"));
  net.start();
  net.run_for(Duration::seconds(5));
  ASSERT_TRUE(net.established(ab));
  ASSERT_TRUE(net.established(bc));
  const PeerId c_at_b = net.link(bc).peer_at_a, b_at_c = net.link(bc).peer_at_b;
  auto updates_at_c = [&] { return net.node(c).speaker->neighbor(b_at_c)->counters.received.update; };
  auto refreshes_at_c = [&] { return net.node(c).speaker->neighbor(b_at_c)->counters.received.route_refresh; };
  // One UPDATE for 10.1 and 10.4, one for 10.3 with its MED, one End-of-RIB per family.
  EXPECT_EQ(updates_at_c(), 4u);
  EXPECT_EQ(net.node(c).speaker->route(prefix("10.3.0.0/16"))->paths[0].attributes.med, 5u);
  EXPECT_FALSE(net.node(c).speaker->route(prefix("10.1.0.0/16"))->paths[0].attributes.med);

  ASSERT_EQ(refreshes_at_c(), 0u);
  NeighborSettings rejecting_one = *net.node(b).speaker->settings(c_at_b);
  rejecting_one.policy.export_policy = rejecting(prefix("10.3.0.0/16"));
  net.act(b, [&](Speaker& s, Time now) { s.update_policy(now, c_at_b, rejecting_one.policy); });
  net.run_for(Duration::milliseconds(50));
  EXPECT_TRUE(net.established(bc));
  EXPECT_FALSE(net.node(c).speaker->route(prefix("10.3.0.0/16")));
  EXPECT_TRUE(net.node(c).speaker->route(prefix("10.1.0.0/16")));
  EXPECT_TRUE(net.node(c).speaker->route(prefix("10.4.0.0/16")));
  EXPECT_EQ(refreshes_at_c(), 4u);  // BoRR and EoRR for IPv4 and IPv6

  NeighborSettings prepending = *net.node(b).speaker->settings(c_at_b);
  prepending.policy.export_policy = prepend_all(2);
  net.act(b, [&](Speaker& s, Time now) { s.update_policy(now, c_at_b, prepending.policy); });
  net.run_for(Duration::milliseconds(50));
  for (const char* p : {"10.1.0.0/16", "10.3.0.0/16", "10.4.0.0/16"}) {
    auto route = net.node(c).speaker->route(prefix(p));
    ASSERT_TRUE(route) << p;
    EXPECT_EQ(route->paths[0].attributes.as_path->to_string(), "65002 65002 65002 65001") << p;
  }
  auto advertised = net.node(b).speaker->advertised_routes(c_at_b);
  ASSERT_TRUE(advertised);
  ASSERT_EQ(advertised->routes.size(), 3u);
  EXPECT_EQ(advertised->routes[1].prefix, prefix("10.3.0.0/16"));
  EXPECT_EQ(advertised->routes[1].attributes.as_path->to_string(), "65002 65002 65002 65001");
  EXPECT_EQ(advertised->routes[1].attributes.next_hop, net.link(bc).address_a);
}

// When another tunnel's path becomes best, the route is exported again only
// if what the downstream neighbour would get changes. Another tunnel's path
// with the same attributes (its own next hop, which ours replaces) changes
// nothing it sees: no UPDATE (FRR's suppress-duplicates). A prepended one
// does: the neighbour gets the longer AS path.
TEST(Speaker, ANewBestPathIsSentOnlyWhenItsExportDiffers) {
  for (bool prepended : {false, true}) {
    SCOPED_TRACE(prepended ? "second tunnel prepended" : "second tunnel alike");
    SpeakerNetwork net;
    size_t a = net.add_node("a", router(65001, "10.0.0.1", {prefix("10.1.0.0/16")}));
    size_t b = net.add_node("b", router(65002, "10.0.0.2", {}));
    size_t c = net.add_node("c", router(65003, "10.0.0.3", {}));
    size_t first = net.connect(a, b, "169.254.21.", neighbor("b", 65002, "wg0"), neighbor("a", 65001, "wg0"));
    size_t second = net.connect(a, b, "169.254.23.",
                                neighbor("b-2", 65002, "wg1", prepended ? prepend_all(1) : accept_all()),
                                neighbor("a-2", 65001, "wg1"));
    size_t bc = net.connect(b, c, "169.254.22.", neighbor("c", 65003, "wg2"), neighbor("b", 65002, "wg2"));
    net.start();
    net.run_for(Duration::seconds(5));
    ASSERT_TRUE(net.established(first));
    ASSERT_TRUE(net.established(second));
    ASSERT_TRUE(net.established(bc));
    const PeerId b_at_c = net.link(bc).peer_at_b;
    auto updates_at_c = [&] { return net.node(c).speaker->neighbor(b_at_c)->counters.received.update; };
    auto as_path_at_c = [&] {
      auto route = net.node(c).speaker->route(prefix("10.1.0.0/16"));
      return route ? route->paths[0].attributes.as_path->to_string() : std::string("none");
    };
    ASSERT_EQ(as_path_at_c(), "65002 65001");
    const size_t before = updates_at_c();

    // The first tunnel fails: b's best path is now the second tunnel's.
    const PeerId first_at_b = net.link(first).peer_at_b;
    net.act(b, [&](Speaker& s, Time now) { s.bfd_down(now, first_at_b, "Control Detection Time Expired"); });
    net.run_for(Duration::milliseconds(100));
    EXPECT_EQ(as_path_at_c(), prepended ? "65002 65001 65001" : "65002 65001");
    EXPECT_EQ(updates_at_c(), before + (prepended ? 1 : 0));

    // And the second: the route is withdrawn all the same.
    const PeerId second_at_b = net.link(second).peer_at_b;
    net.act(b, [&](Speaker& s, Time now) { s.bfd_down(now, second_at_b, "Control Detection Time Expired"); });
    net.run_for(Duration::milliseconds(100));
    EXPECT_EQ(as_path_at_c(), "none");
  }
}
