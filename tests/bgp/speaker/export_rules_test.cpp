// The attribute rules of RFC 4271 for a route leaving the speaker, towards
// eBGP and iBGP neighbours, with and without next-hop-self.
#include "bgp/speaker/export_rules.h"

#include <gtest/gtest.h>

using namespace halink;
using namespace halink::bgp;

namespace {

IpAddress address(const char* text) { return *IpAddress::parse(text); }

// A cloud gateway over a tunnel (eBGP) or the sibling on the LAN (iBGP); we are AS 65001.
PeerInfo peer(PeerId id, bool ebgp) {
  PeerInfo p;
  p.id = id;
  p.remote_as = ebgp ? 65515 : 65001;
  p.ebgp = ebgp;
  p.address = address(ebgp ? "169.254.21.2" : "10.1.0.2");
  return p;
}
PeerInfo ebgp_peer(PeerId id) { return peer(id, true); }
PeerInfo ibgp_peer(PeerId id) { return peer(id, false); }

PeerInfo local_routes() {
  PeerInfo p;
  p.local = true;
  p.ebgp = false;
  return p;
}

ExportTarget to_sibling(PeerId id, bool next_hop_self) {
  return ExportTarget{id, 65001, /*ebgp=*/false, address("10.1.0.1"), next_hop_self};
}

// A route as learned over the tunnel from the cloud gateway.
PathAttributes from_cloud() {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{};
  a.as_path->prepend(65515);
  a.next_hop = address("169.254.21.2");
  a.med = 10;
  return a;
}

}  // namespace

TEST(ExportRules, IbgpLearnedRoutesAreNotSentToIbgpNeighbours) {
  // RFC 4271 §9.2: no route reflection, so a sibling never re-announces what
  // it learned over the site pair's session to another iBGP neighbour.
  EXPECT_FALSE(export_allowed(ibgp_peer(2), to_sibling(3, true)));
  EXPECT_TRUE(export_allowed(ebgp_peer(1), to_sibling(3, true)));
  EXPECT_TRUE(export_allowed(local_routes(), to_sibling(3, true)));
  // ... but they may go to eBGP neighbours, and nothing goes back where it came from.
  EXPECT_TRUE(export_allowed(ibgp_peer(2), ExportTarget{1, 65001, true, address("169.254.21.1")}));
  EXPECT_FALSE(export_allowed(ebgp_peer(1), ExportTarget{1, 65001, true, address("169.254.21.1")}));
}

TEST(ExportRules, NextHopSelfTowardsIbgpReplacesTheTunnelNextHop) {
  const PeerInfo from = ebgp_peer(1);
  auto with = finish_export(prepare_export(from_cloud(), from, to_sibling(2, true)), from, to_sibling(2, true),
                            Family::ipv4);
  ASSERT_TRUE(with);
  EXPECT_EQ(with->next_hop, address("10.1.0.1"));
  // Without it the next hop stays the far end of our tunnel (§5.1.3), which
  // the sibling cannot reach.
  auto without = finish_export(prepare_export(from_cloud(), from, to_sibling(2, false)), from, to_sibling(2, false),
                               Family::ipv4);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->next_hop, address("169.254.21.2"));
}

TEST(ExportRules, IbgpGetsLocalPrefAndNoPrependEbgpGetsPrependAndNoLocalPref) {
  const PeerInfo from = ebgp_peer(1);
  PathAttributes learned = from_cloud();
  learned.local_pref = 200;  // set by import policy
  auto ibgp = finish_export(prepare_export(learned, from, to_sibling(2, true)), from, to_sibling(2, true), Family::ipv4);
  ASSERT_TRUE(ibgp);
  EXPECT_EQ(ibgp->local_pref, 200u);             // §5.1.5: sent on iBGP
  EXPECT_EQ(ibgp->as_path->decision_length(), 1u);  // §5.1.2: no prepend inside the AS
  EXPECT_EQ(ibgp->as_path->neighbor_as(), 65515u);
  EXPECT_EQ(ibgp->med, 10u);  // MED may travel inside the AS

  // Without a LOCAL_PREF the iBGP copy carries the default 100.
  auto defaulted = finish_export(prepare_export(from_cloud(), from, to_sibling(2, false)), from, to_sibling(2, false),
                                 Family::ipv4);
  ASSERT_TRUE(defaulted);
  EXPECT_EQ(defaulted->local_pref, 100u);

  const ExportTarget ebgp{3, 65001, true, address("169.254.22.1")};
  auto out = finish_export(prepare_export(learned, from, ebgp), from, ebgp, Family::ipv4);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->local_pref.has_value());
  EXPECT_FALSE(out->med.has_value());
  EXPECT_EQ(out->as_path->decision_length(), 2u);
  EXPECT_EQ(out->as_path->neighbor_as(), 65001u);
  EXPECT_EQ(out->next_hop, address("169.254.22.1"));
}

TEST(ExportRules, NextHopSelfWithoutAnAddressOfTheFamilyCannotAnnounce) {
  const PeerInfo from = ebgp_peer(1);
  ExportTarget target = to_sibling(2, true);
  target.local_address.reset();
  EXPECT_FALSE(finish_export(prepare_export(from_cloud(), from, target), from, target, Family::ipv4).has_value());
}

TEST(ExportRules, OnlyAPrefixListInTheExportPolicyMakesTheOutcomeDependOnThePrefix) {
  NeighborPolicy none;
  EXPECT_FALSE(export_reads_prefix(none));
  NeighborPolicy by_path;
  by_path.export_policy = Policy{};
  PolicyTerm path_term;
  path_term.match.as_path_length_max = 3;
  path_term.match.family = Family::ipv4;  // the family is part of the speaker's grouping key
  by_path.export_policy->terms.push_back(path_term);
  EXPECT_FALSE(export_reads_prefix(by_path));
  NeighborPolicy by_prefix = by_path;
  PolicyTerm prefix_term;
  prefix_term.match.prefixes.push_back(PrefixListEntry{*Prefix::parse("10.0.0.0/8"), std::nullopt, 24});
  by_prefix.export_policy->terms.push_back(prefix_term);
  EXPECT_TRUE(export_reads_prefix(by_prefix));
  NeighborPolicy import_only;  // the import policy does not matter for export
  import_only.import_policy = by_prefix.export_policy;
  EXPECT_FALSE(export_reads_prefix(import_only));
}
