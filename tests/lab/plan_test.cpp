// The lab's plan of a topology: names, addresses and links, without root.
#include <gtest/gtest.h>

#include <set>

#include "config/loader.h"
#include "lab/plan.h"

namespace halink::lab {
namespace {

LabPlan plan_of(const std::string& example) {
  auto topology = config::load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/" + example);
  EXPECT_TRUE(topology) << (topology ? "" : topology.message());
  auto plan = plan_lab(*topology);
  EXPECT_TRUE(plan) << (plan ? "" : plan.message());
  return *plan;
}

TEST(LabPlan, ActiveActiveHasOneNamespacePerNodeLanAndIsp) {
  LabPlan plan = plan_of("active-active.yaml");
  EXPECT_EQ(plan.lab, "active-active");
  std::set<std::string> names;
  for (const NamespacePlan& ns : plan.namespaces) names.insert(ns.name);
  for (const char* node : {"r1", "r2", "g1", "g2", "onprem-host", "cloud-host", "lan-onprem", "lan-cloud", "isp-isp1"})
    EXPECT_TRUE(names.count(std::string("hl-active-active-") + node)) << node;
  EXPECT_EQ(plan.namespaces.size(), 9u);
  EXPECT_EQ(plan.daemons.size(), 4u);
  EXPECT_EQ(plan.tunnels.size(), 4u);
}

TEST(LabPlan, WireGuardInstancesAreUniqueAndInterfacesKeepTheFilesNames) {
  LabPlan plan = plan_of("active-passive.yaml");
  std::set<std::string> instances;
  std::set<std::pair<std::string, uint16_t>> ports;
  for (const TunnelPlan& t : plan.tunnels)
    for (const WireGuardEnd& end : t.ends) {
      EXPECT_LE(end.instance.size(), 15u);
      EXPECT_TRUE(instances.insert(end.instance).second) << end.instance;
      EXPECT_TRUE(ports.insert({end.namespace_name, end.listen_port}).second);
      EXPECT_EQ(end.interface, t.name);
    }
  const TunnelPlan* t = plan.find_tunnel("r1-g1-isp2");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->ends[0].address.to_string(), "169.254.22.1/30");
  // Each underlay its own 100.64.K.0/24.
  EXPECT_EQ(t->ends[0].underlay_address.to_string().rfind("100.65.0.", 0), 0u);
}

TEST(LabPlan, UnderlayLinksAreShapedToTheIspBandwidth) {
  LabPlan plan = plan_of("active-passive.yaml");
  int isp2_links = 0;
  for (const VethPlan& link : plan.links)
    if (link.underlay == "isp2") {
      ++isp2_links;
      EXPECT_EQ(link.rate_bps, 250'000'000u);
    } else if (link.underlay.empty()) {
      EXPECT_EQ(link.rate_bps, 0u);
    }
  EXPECT_EQ(isp2_links, 4);
}

TEST(LabPlan, HostsRouteOtherSitesOverEveryRouterOfTheirSite) {
  LabPlan plan = plan_of("active-active.yaml");
  const HostPlan* host = plan.find_host("onprem-host");
  ASSERT_NE(host, nullptr);
  EXPECT_EQ(host->address.to_string(), "10.1.0.10");
  bool found = false;
  for (const RoutePlan& r : plan.routes)
    if (r.namespace_name == host->namespace_name && r.prefix.to_string() == "10.2.0.0/16") {
      found = true;
      ASSERT_EQ(r.gateways.size(), 2u);
      EXPECT_EQ(r.gateways[0], plan.router_lan_address.at("r1"));
      EXPECT_EQ(r.gateways[1], plan.router_lan_address.at("r2"));
    }
  EXPECT_TRUE(found);
  EXPECT_NE(plan.router_lan_address.at("r1"), host->address);
}

TEST(LabPlan, EveryRouterGetsItsOwnMultipathHashSeed) {
  LabPlan plan = plan_of("active-active.yaml");
  std::set<std::string> seeds;
  for (const NamespacePlan& ns : plan.namespaces)
    for (const std::string& s : ns.sysctls)
      if (s.rfind("net.ipv4.fib_multipath_hash_seed=", 0) == 0) {
        EXPECT_TRUE(seeds.insert(s).second) << s;
      }
  EXPECT_EQ(seeds.size(), 6u);  // 4 routers and 2 hosts
}

TEST(LabPlan, DevicesOnTheDataPathAreRefusedByName) {
  auto topology = config::load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/single-firewall.yaml");
  ASSERT_TRUE(topology);
  auto plan = plan_lab(*topology);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.message().find("fw1"), std::string::npos);
}

TEST(LabPlan, RoutersKeepTheirDeclaredLanAddressesAndTheSitePairSessionUsesLan0) {
  LabPlan plan = plan_of("active-active.yaml");
  EXPECT_EQ(plan.router_lan_address.at("r1"), IpAddress::v4(10, 1, 0, 1));
  EXPECT_EQ(plan.router_lan_address.at("r2"), IpAddress::v4(10, 1, 0, 2));

  // Declared in the other order: the lab follows the file, not its own order.
  auto topology = config::load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/active-active.yaml");
  ASSERT_TRUE(topology);
  for (config::RouterConfig& r : topology->routers) {
    if (r.name == "r1") r.lan_address->address = IpAddress::v4(10, 1, 0, 2);
    if (r.name == "r2") r.lan_address->address = IpAddress::v4(10, 1, 0, 1);
  }
  auto swapped = plan_lab(*topology);
  ASSERT_TRUE(swapped) << swapped.message();
  EXPECT_EQ(swapped->router_lan_address.at("r1"), IpAddress::v4(10, 1, 0, 2));

  auto fresh = config::load_topology(std::string(HALINK_SOURCE_DIR) + "/examples/active-active.yaml");
  ASSERT_TRUE(fresh);
  for (config::RouterConfig& r : fresh->routers)
    for (config::Neighbor& n : r.neighbors)
      if (r.name == "r1" && n.name == "r2") n.interface = "eth9";
  auto wrong = plan_lab(*fresh);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.message().find("lan0"), std::string::npos) << wrong.message();
}

}  // namespace
}  // namespace halink::lab
