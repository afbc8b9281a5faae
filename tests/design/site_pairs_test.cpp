// `halink check` on the hole the simulator found in active/active: a router
// the LAN reaches by static ECMP, with no iBGP route to its sibling, loses
// the LAN's flows once its own tunnels are down.
#include "design/site_pairs.h"

#include <gtest/gtest.h>

#include "design/check.h"
#include "topology_builder.h"

namespace halink::design {
namespace {

using test::DesignSpec;
using test::load_design;

std::vector<const Finding*> site_pair_findings(const Report& report) {
  return report.of_kind(FindingKind::no_site_pair_session);
}

TEST(SitePairs, ActiveActiveWithoutIbgpFlagsEveryRouterWithWhatFailsAndTheFix) {
  const Report report = check_design(load_design(DesignSpec{}));
  const auto findings = site_pair_findings(report);
  ASSERT_EQ(findings.size(), 4u) << render_text(report);
  const Finding* r1 = findings[0];
  EXPECT_EQ(r1->severity, Severity::warning);
  EXPECT_EQ(r1->elements, (std::vector<std::string>{"r1", "r2"}));
  EXPECT_EQ(r1->message,
            "r1: when its tunnels t1 and t2 are all down, site onprem's LAN keeps sending it its share of the flows "
            "by static ECMP (it cannot learn that r1 has no route) and those flows are lost until a tunnel returns: "
            "r1 has no iBGP session with r2 to hand them over.");
  EXPECT_NE(r1->advice.find("iBGP session between r1 and r2 over the LAN"), std::string::npos) << r1->advice;
  EXPECT_NE(r1->advice.find("next_hop_self: true"), std::string::npos) << r1->advice;
  EXPECT_EQ(findings[2]->elements, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_NE(report.verdict().find("4 routers without a site pair session"), std::string::npos) << report.verdict();
  EXPECT_NE(render_json(report).find("\"no-site-pair-session\""), std::string::npos);
}

TEST(SitePairs, IbgpWithNextHopSelfClosesTheHole) {
  DesignSpec spec;
  spec.site_pairs = true;
  const Report report = check_design(load_design(spec));
  EXPECT_TRUE(site_pair_findings(report).empty()) << render_text(report);
  // The LAN sessions are matched as sessions, not left one-sided.
  EXPECT_EQ(report.count(FindingKind::session_one_sided), 0u) << render_text(report);
}

TEST(SitePairs, IbgpWithoutNextHopSelfSaysWhichSideMustSetIt) {
  DesignSpec spec;
  spec.site_pairs = true;
  spec.site_pairs_next_hop_self = false;
  const Report report = check_design(load_design(spec));
  const auto findings = site_pair_findings(report);
  ASSERT_EQ(findings.size(), 4u) << render_text(report);
  EXPECT_NE(findings[0]->message.find("r2 announces routes to r1 over iBGP without next_hop_self, so their next hop "
                                      "is the far end of a tunnel r1 cannot reach."),
            std::string::npos)
      << findings[0]->message;
  EXPECT_EQ(findings[0]->advice, "set next_hop_self: true on the neighbour r1 of r2");
}

TEST(SitePairs, RoutersBehindOneFirewallAreOneGroupAndManagedGatewaysAreSkipped) {
  DesignSpec spec;
  spec.single_firewall = true;
  spec.cloud_profile = "azure-vpn-gateway";
  spec.cloud_neighbors = false;
  const Report report = check_design(load_design(spec));
  const auto findings = site_pair_findings(report);
  ASSERT_EQ(findings.size(), 2u) << render_text(report);
  EXPECT_NE(findings[0]->message.find("firewall fw1 keeps sending it"), std::string::npos) << findings[0]->message;
  for (const Finding* f : findings) EXPECT_EQ(f->elements[0][0], 'r');
}

}  // namespace
}  // namespace halink::design
