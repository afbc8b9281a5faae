#include "bgp/policy/policy_evaluator.h"

#include <gtest/gtest.h>

namespace halink::bgp {
namespace {

Prefix P(const char* text) { return Prefix::parse(text).value(); }

PathAttributes route(std::vector<uint32_t> asns) {
  PathAttributes a;
  a.origin = Origin::igp;
  a.as_path = AsPath{{AsPathSegment{AsPathSegmentType::as_sequence, std::move(asns)}}};
  a.next_hop = IpAddress::v4(192, 0, 2, 1);
  return a;
}

PolicyTerm term(PolicyMatch match, PolicyActions actions) { return PolicyTerm{"", std::move(match), std::move(actions)}; }
PolicyActions verdict(PolicyVerdict v) {
  PolicyActions a;
  a.verdict = v;
  return a;
}

const PolicyContext ebgp{65000, true};
const PolicyContext ibgp{65000, false};

TEST(PolicyEvaluator, PrefixListSelectsTheTerm) {
  Policy policy;
  PolicyMatch match;
  match.prefixes = {PrefixListEntry{P("10.0.0.0/8"), {}, 24}};
  policy.terms = {term(match, verdict(PolicyVerdict::accept))};
  policy.default_verdict = PolicyVerdict::reject;
  const PathAttributes a = route({65001});
  EXPECT_TRUE(evaluate_policy(policy, P("10.1.0.0/16"), a, ebgp).accepted);
  const PolicyResult too_long = evaluate_policy(policy, P("10.1.1.0/25"), a, ebgp);
  EXPECT_FALSE(too_long.accepted);
  EXPECT_EQ(too_long.reason, PolicyReason::default_reject);
}

TEST(PolicyEvaluator, AsPathMatches) {
  const PathAttributes a = route({65001, 65002, 65003});
  const Prefix p = P("192.0.2.0/24");
  auto accepted_by = [&](PolicyMatch match) {
    Policy policy;
    policy.terms = {term(std::move(match), verdict(PolicyVerdict::accept))};
    return evaluate_policy(policy, p, a, ebgp).accepted;
  };
  PolicyMatch length;
  length.as_path_length_min = 2;
  length.as_path_length_max = 3;
  EXPECT_TRUE(accepted_by(length));
  length.as_path_length_max = 2;
  EXPECT_FALSE(accepted_by(length));
  PolicyMatch contains;
  contains.as_path_contains = {1, 65002};
  EXPECT_TRUE(accepted_by(contains));
  contains.as_path_contains = {1};
  EXPECT_FALSE(accepted_by(contains));
  PolicyMatch neighbor;
  neighbor.neighbor_as = {65001};
  EXPECT_TRUE(accepted_by(neighbor));
  neighbor.neighbor_as = {65003};
  EXPECT_FALSE(accepted_by(neighbor));
  PolicyMatch origin;
  origin.origin_as = {65003};
  EXPECT_TRUE(accepted_by(origin));
  PolicyMatch family;
  family.family = Family::ipv6;
  EXPECT_FALSE(accepted_by(family));
}

TEST(PolicyEvaluator, CommunityAndLargeCommunityMatches) {
  PathAttributes a = route({65001});
  a.communities = {0xFDE80064};  // 65000:100
  a.large_communities = {LargeCommunity{65000, 1, 2}};
  Policy policy;
  PolicyMatch by_community;
  by_community.communities = {0xFDE800C8, 0xFDE80064};
  PolicyMatch by_large;
  by_large.large_communities = {LargeCommunity{65000, 1, 3}};
  policy.terms = {term(by_large, verdict(PolicyVerdict::reject)), term(by_community, verdict(PolicyVerdict::accept))};
  const PolicyResult r = evaluate_policy(policy, P("192.0.2.0/24"), a, ebgp);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.reason, PolicyReason::term_accept);
  policy.terms[0].match.large_communities = {LargeCommunity{65000, 1, 2}};
  EXPECT_EQ(evaluate_policy(policy, P("192.0.2.0/24"), a, ebgp).reason, PolicyReason::term_reject);
}

TEST(PolicyEvaluator, SetLocalPrefOnImport) {
  NeighborPolicy neighbor;
  PolicyActions prefer;
  prefer.set_local_pref = 200;
  neighbor.import_policy = Policy{"prefer-isp1", {term({}, prefer)}, PolicyVerdict::reject};
  const PathAttributes a = route({65001});
  const PolicyResult r = import_route(neighbor, ebgp, P("192.0.2.0/24"), a);
  ASSERT_TRUE(r.accepted);
  EXPECT_EQ(r.attributes(a).local_pref, 200u);
  EXPECT_FALSE(a.local_pref);  // the input is untouched
}

TEST(PolicyEvaluator, UnmodifiedRoutesAreNotCopied) {
  NeighborPolicy neighbor;
  neighbor.import_policy = Policy{"all", {}, PolicyVerdict::accept};
  const PolicyResult r = import_route(neighbor, ebgp, P("192.0.2.0/24"), route({65001}));
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.reason, PolicyReason::default_accept);
  EXPECT_FALSE(r.modified);
}

TEST(PolicyEvaluator, PrependOwnAsAndAGivenAsn) {
  NeighborPolicy neighbor;
  PolicyActions prepend;
  prepend.prepend_own_as = 3;  // the article's backup tunnels
  prepend.prepend_asn = 64512;
  prepend.prepend_asn_count = 1;
  neighbor.export_policy = Policy{"backup", {term({}, prepend)}, PolicyVerdict::reject};
  const PathAttributes a = route({65001});
  const PolicyResult r = export_route(neighbor, ebgp, P("192.0.2.0/24"), a);
  ASSERT_TRUE(r.accepted);
  EXPECT_EQ(r.attributes(a).as_path->to_string(), "65000 65000 65000 64512 65001");
  EXPECT_EQ(r.attributes(a).as_path->decision_length(), 5u);
}

TEST(PolicyEvaluator, SetAndStripMed) {
  PathAttributes a = route({65001});
  a.med = 50;
  PolicyActions strip;
  strip.strip_med = true;
  Policy policy{"", {term({}, strip)}, PolicyVerdict::reject};
  EXPECT_FALSE(evaluate_policy(policy, P("192.0.2.0/24"), a, ebgp).attributes(a).med);
  PolicyActions set;
  set.set_med = 10;
  policy.terms = {term({}, set)};
  EXPECT_EQ(evaluate_policy(policy, P("192.0.2.0/24"), a, ebgp).attributes(a).med, 10u);
}

TEST(PolicyEvaluator, AddAndRemoveCommunities) {
  PathAttributes a = route({65001});
  a.communities = {1, 2, 3};
  a.large_communities = {LargeCommunity{1, 1, 1}};
  PolicyActions edit;
  edit.remove_communities = {2};
  edit.add_communities = {3, 4};  // 3 is present already: not duplicated
  edit.add_large_communities = {LargeCommunity{2, 2, 2}};
  edit.remove_large_communities = {LargeCommunity{1, 1, 1}};
  Policy policy{"", {term({}, edit)}, PolicyVerdict::reject};
  const PolicyResult r = evaluate_policy(policy, P("192.0.2.0/24"), a, ebgp);
  EXPECT_EQ(r.attributes(a).communities, (std::vector<uint32_t>{1, 3, 4}));
  EXPECT_EQ(r.attributes(a).large_communities, (std::vector<LargeCommunity>{{2, 2, 2}}));
}

TEST(PolicyEvaluator, NextTermKeepsModificationsAndMatchesSeeThem) {
  PolicyActions tag = verdict(PolicyVerdict::next_term);
  tag.add_communities = {42};
  PolicyMatch tagged;
  tagged.communities = {42};
  PolicyActions prefer;
  prefer.set_local_pref = 300;
  Policy policy{"", {term({}, tag), term(tagged, prefer)}, PolicyVerdict::reject};
  const PathAttributes a = route({65001});
  const PolicyResult r = evaluate_policy(policy, P("192.0.2.0/24"), a, ebgp);
  ASSERT_TRUE(r.accepted);
  EXPECT_EQ(r.attributes(a).local_pref, 300u);
  EXPECT_EQ(r.attributes(a).communities, (std::vector<uint32_t>{42}));
}

TEST(PolicyEvaluator, Rfc8212DeniesEbgpWithoutPolicyButNotIbgp) {
  const NeighborPolicy none;
  const PathAttributes a = route({65001});
  EXPECT_TRUE(rfc8212_blocks_import(none, true));
  EXPECT_TRUE(rfc8212_blocks_export(none, true));
  EXPECT_FALSE(rfc8212_blocks_import(none, false));
  PolicyResult r = import_route(none, ebgp, P("192.0.2.0/24"), a);
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.reason, PolicyReason::rfc8212_no_policy);
  EXPECT_FALSE(export_route(none, ebgp, P("192.0.2.0/24"), a).accepted);
  r = import_route(none, ibgp, P("192.0.2.0/24"), a);
  EXPECT_TRUE(r.accepted);
  EXPECT_EQ(r.reason, PolicyReason::no_policy);
  EXPECT_TRUE(export_route(none, ibgp, P("192.0.2.0/24"), a).accepted);
}

TEST(PolicyEvaluator, GracefulShutdownLowersLocalPrefAfterPolicy) {
  NeighborPolicy neighbor;
  PolicyActions prefer;
  prefer.set_local_pref = 200;
  neighbor.import_policy = Policy{"", {term({}, prefer)}, PolicyVerdict::reject};
  PathAttributes a = route({65001});
  a.communities = {community::graceful_shutdown};
  PolicyResult r = import_route(neighbor, ebgp, P("192.0.2.0/24"), a);
  ASSERT_TRUE(r.accepted);
  EXPECT_EQ(r.attributes(a).local_pref, 0u);  // RFC 8326 §4.1 wins over the policy
  neighbor.honor_graceful_shutdown = false;
  r = import_route(neighbor, ebgp, P("192.0.2.0/24"), a);
  EXPECT_EQ(r.attributes(a).local_pref, 200u);
}

TEST(PolicyEvaluator, EbgpReceivedLocalPrefIsIgnored) {
  NeighborPolicy neighbor;
  neighbor.import_policy = Policy{"", {}, PolicyVerdict::accept};
  PathAttributes a = route({65001});
  a.local_pref = 900;
  EXPECT_FALSE(import_route(neighbor, ebgp, P("192.0.2.0/24"), a).attributes(a).local_pref);
  EXPECT_EQ(import_route(neighbor, ibgp, P("192.0.2.0/24"), a).attributes(a).local_pref, 900u);
}

TEST(PolicyEvaluator, ImportDependsOnPrefixOnlyThroughPrefixOrFamilyMatches) {
  NeighborPolicy neighbor;
  EXPECT_FALSE(import_depends_on_prefix(neighbor));  // RFC 8212 / no policy: per neighbour
  PolicyActions prefer;
  prefer.set_local_pref = 200;
  PolicyMatch by_path;
  by_path.as_path_contains = {65002};
  by_path.communities = {community::graceful_shutdown};
  neighbor.import_policy = Policy{"", {term(by_path, prefer), term({}, verdict(PolicyVerdict::reject))},
                                  PolicyVerdict::accept};
  EXPECT_FALSE(import_depends_on_prefix(neighbor));
  PolicyMatch by_prefix;
  by_prefix.prefixes = {PrefixListEntry{P("10.0.0.0/8"), {}, 24}};
  neighbor.import_policy->terms.push_back(term(by_prefix, prefer));
  EXPECT_TRUE(import_depends_on_prefix(neighbor));
  PolicyMatch by_family;
  by_family.family = Family::ipv6;
  neighbor.import_policy->terms = {term(by_family, verdict(PolicyVerdict::reject))};
  EXPECT_TRUE(import_depends_on_prefix(neighbor));
}

TEST(PolicyEvaluator, WithoutPrefixMatchesEveryPrefixOfAnUpdateGetsTheSameResult) {
  NeighborPolicy neighbor;
  PolicyActions prefer;
  prefer.set_local_pref = 200;
  prefer.add_communities = {100};
  PolicyMatch from_isp;
  from_isp.neighbor_as = {65001};
  neighbor.import_policy = Policy{"", {term(from_isp, prefer)}, PolicyVerdict::reject};
  ASSERT_FALSE(import_depends_on_prefix(neighbor));
  for (const PathAttributes& a : {route({65001, 65003}), route({65002})}) {
    const PolicyResult first = import_route(neighbor, ebgp, P("192.0.2.0/24"), a);
    for (const char* other : {"10.0.0.0/8", "198.51.100.128/25", "2001:db8::/32"}) {
      const PolicyResult r = import_route(neighbor, ebgp, P(other), a);
      EXPECT_EQ(r.accepted, first.accepted) << other;
      EXPECT_EQ(r.reason, first.reason) << other;
      EXPECT_EQ(r.modified, first.modified) << other;
    }
  }
}

}  // namespace
}  // namespace halink::bgp
